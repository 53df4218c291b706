package shop.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.cloudformation.CloudFormationClient;
import software.amazon.awssdk.services.cloudformation.model.CloudFormationException;
import software.amazon.awssdk.services.cloudformation.model.Stack;

/**
 * StackInfo is what CloudFormation says of a deployed stack: its parameter values, its outputs and
 * the physical ids of its resources by logical id.
 *
 * @param name       the stack's name
 * @param parameters parameter values by name
 * @param outputs    output values by name
 * @param physicalIds physical resource ids by logical id
 */
public record StackInfo(String name, Map<String, String> parameters, Map<String, String> outputs,
                        Map<String, String> physicalIds) {

    /** describe reads a stack; fails with a message naming it when it does not exist. */
    public static StackInfo describe(CloudFormationClient cfn, String name) {
        Stack stack;
        try {
            stack = cfn.describeStacks(b -> b.stackName(name)).stacks().getFirst();
        } catch (CloudFormationException e) {
            throw new IllegalArgumentException("no stack " + name + " here: " + e.awsErrorDetails().errorMessage(), e);
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        stack.parameters().forEach(p -> parameters.put(p.parameterKey(), p.parameterValue()));
        Map<String, String> outputs = new LinkedHashMap<>();
        stack.outputs().forEach(o -> outputs.put(o.outputKey(), o.outputValue()));
        Map<String, String> physical = new LinkedHashMap<>();
        cfn.listStackResourcesPaginator(b -> b.stackName(name)).stackResourceSummaries()
                .forEach(r -> physical.put(r.logicalResourceId(), r.physicalResourceId()));
        return new StackInfo(name, parameters, outputs, physical);
    }

    /** output returns an output's value, when the stack has it. */
    public Optional<String> output(String key) {
        return Optional.ofNullable(outputs.get(key));
    }
}

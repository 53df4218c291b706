/**
 * The CRaC implementation the tests run with, in the shape {@code org.crac} looks for: the tests'
 * JVM starts with {@code -Dorg.crac.Core.Compat=shop.testing.crac} (functions/pom.xml), as Lambda
 * starts its Java runtimes with {@code -Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac}.
 * Every {@code org.crac.Core.getGlobalContext().register} of the shipped code then reaches
 * {@link shop.testing.crac.Context}, which hands the resource to {@link shop.testing.LambdaEnvironment}:
 * a test opens an environment, builds a function in it, and runs the hooks the way Lambda's runtime
 * does. Without the property {@code org.crac} drops every registration, and no test could run a hook.
 */
package shop.testing.crac;

#!/usr/bin/env python3
"""Checks the deploy order of template.yaml on the template SAM deploys: transformed by the
official translator (aws-sam-translator), not on our reading of it.

1. The API's authorizer is invoked through a published version (the SnapStart alias): its
   FunctionArn and the invoke permission SAM generates for API Gateway both name the alias.
2. No alias of a function behind the API, an S3 notification or a schedule takes traffic before
   the schema migration of the same deploy succeeded: every such alias depends, through the
   references CloudFormation orders resources by (Ref, GetAtt, Sub, DependsOn), on DatabaseSchema;
   and DatabaseSchema depends on none of them (no cycle, so the order is real).
3. Every event source (API integration, S3 notification, schedule target, authorizer) names an
   alias ARN, never a function's unqualified ARN ($LATEST).

Usage: deploy_order.py template.yaml        exit 0 and a summary when all hold, 1 with reasons.
"""
import json
import logging
import os
import re
import sys

from samtranslator.parser.parser import Parser  # noqa: F401  (import check: the translator is there)
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

MIGRATION = "DatabaseSchema"


class NoManagedPolicies:
    """The template names no AWS managed policy by name; answer none, and never call IAM."""

    def load(self):
        return {}


def references(node, out):
    """Collects the logical ids a value refers to (Ref, Fn::GetAtt, Fn::Sub ${X} and ${X.Attr})."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                out.add(value.split(".")[0])
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else value.split(".")[0]
                out.add(target)
            elif key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                for name in re.findall(r"\$\{([^}!][^}]*)}", text):
                    out.add(name.split(".")[0])
                if isinstance(value, list):
                    references(value[1], out)
            else:
                references(value, out)
    elif isinstance(node, list):
        for item in node:
            references(item, out)
    return out


def graph(resources):
    """Direct dependencies of each resource, as CloudFormation orders them."""
    deps = {}
    for rid, res in resources.items():
        d = references(res.get("Properties", {}), set())
        depends_on = res.get("DependsOn", [])
        d.update([depends_on] if isinstance(depends_on, str) else depends_on)
        deps[rid] = {x for x in d if x in resources}
    return deps


def authorizers(resources):
    """The URIs of the API's Lambda authorizers: in the REST API's OpenAPI body (SAM puts them there)
    or as AWS::ApiGateway::Authorizer resources."""
    uris = []

    def walk(node):
        if isinstance(node, dict):
            ext = node.get("x-amazon-apigateway-authorizer")
            if isinstance(ext, dict) and "authorizerUri" in ext:
                uris.append(ext["authorizerUri"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for res in resources.values():
        if res["Type"] == "AWS::ApiGateway::RestApi":
            walk(res["Properties"].get("Body", {}))
        elif res["Type"] == "AWS::ApiGateway::Authorizer":
            uris.append(res["Properties"]["AuthorizerUri"])
    return uris


def reachable(deps, start):
    seen, todo = set(), [start]
    while todo:
        for nxt in deps.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def main(path):
    # The translator needs a region for ARNs it builds; it makes no AWS call with it.
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")
    logging.getLogger("samtranslator").setLevel(logging.ERROR)  # feature-toggle chatter
    with open(path, encoding="utf-8") as f:
        sam = yaml_parse(f.read())
    # What `sam package` does first: the local jar and layer folders become S3 objects.
    sam.get("Globals", {}).get("Function", {})["CodeUri"] = "s3://shop-artifacts/shop-backend/0123456789abcdef"
    for res in sam["Resources"].values():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Serverless::Function" and isinstance(props.get("CodeUri"), str):
            props["CodeUri"] = "s3://shop-artifacts/shop-backend/0123456789abcdef"
        if res["Type"] == "AWS::Serverless::LayerVersion" and isinstance(props.get("ContentUri"), str):
            props["ContentUri"] = "s3://shop-artifacts/shop-backend/fedcba9876543210"
    source_functions = {rid: res for rid, res in sam["Resources"].items()
                        if res["Type"] == "AWS::Serverless::Function"}
    cfn = transform(sam, {}, NoManagedPolicies())
    resources = cfn["Resources"]
    deps = graph(resources)
    problems = []

    aliases = {res["Properties"]["FunctionName"]["Ref"]: rid for rid, res in resources.items()
               if res["Type"] == "AWS::Lambda::Alias"}

    # 1. The authorizer through its alias, and API Gateway allowed to invoke that alias.
    authorizer_uris = authorizers(resources)
    if not authorizer_uris:
        problems.append("no API Gateway authorizer in the transformed template")
    for uri_node in authorizer_uris:
        uri = json.dumps(uri_node)
        target = next((fn for fn, alias in aliases.items() if alias in uri), None)
        if target is None:
            problems.append(f"the authorizer's URI names no alias: {uri}")
            continue
        alias = aliases[target]
        permissions = [r for r in resources.values() if r["Type"] == "AWS::Lambda::Permission"
                       and r["Properties"].get("Principal") == "apigateway.amazonaws.com"
                       and references(r["Properties"]["FunctionName"], set()) == {alias}]
        if not permissions:
            problems.append(f"no apigateway invoke permission on the authorizer's alias {alias}")

    # 2. and 3. Every triggered function: triggers name its alias, and the alias waits for the migration.
    if MIGRATION not in resources:
        problems.append(f"no {MIGRATION} resource")
    migration_deps = reachable(deps, MIGRATION)
    checked = []
    for fid, fn in source_functions.items():
        kinds = sorted({e["Type"] for e in fn["Properties"].get("Events", {}).values()})
        is_authorizer = any(re.search(r'"%s(Alias\w+)?"' % fid, json.dumps(u)) for u in authorizer_uris)
        if not kinds and not is_authorizer:
            continue  # not invoked by traffic (MigrateFunction)
        alias = aliases.get(fid)
        if alias is None:
            problems.append(f"{fid} has no alias (AutoPublishAlias)")
            continue
        if MIGRATION not in reachable(deps, alias):
            problems.append(f"{alias} ({fid}: {', '.join(kinds) or 'authorizer'}) does not wait for {MIGRATION}")
        if fid in migration_deps or alias in migration_deps:
            problems.append(f"{MIGRATION} depends on {fid}: the order would be a cycle")
        for rid, res in resources.items():
            if res["Type"] in ("AWS::Lambda::Permission",):
                refs = references(res["Properties"]["FunctionName"], set())
                if fid in refs:
                    problems.append(f"{rid} lets {res['Properties'].get('Principal')} invoke {fid} unqualified ($LATEST)")
        checked.append(f"{fid} ({', '.join(kinds) or 'authorizer'})")

    for rid, res in resources.items():
        if res["Type"] == "AWS::S3::Bucket":
            for conf in res["Properties"].get("NotificationConfiguration", {}).get("LambdaConfigurations", []):
                if not set(aliases.values()) & references(conf["Function"], set()):
                    problems.append(f"{rid} notifies an unqualified function: {conf['Function']}")
        if res["Type"] == "AWS::Events::Rule":
            for t in res["Properties"].get("Targets", []):
                if not set(aliases.values()) & references(t["Arn"], set()):
                    problems.append(f"{rid} targets an unqualified function: {t['Arn']}")

    if problems:
        print("deploy order: FAILED\n  " + "\n  ".join(problems))
        return 1
    print(f"deploy order: {len(checked)} traffic-taking aliases wait for {MIGRATION}; "
          f"{MIGRATION} depends on none of them; the authorizer runs through its alias: "
          + "; ".join(checked))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "template.yaml"))

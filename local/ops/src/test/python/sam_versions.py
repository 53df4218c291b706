#!/usr/bin/env python3
"""Prints which Lambda versions SAM would publish for template.yaml under given deploy inputs: the
template is transformed by the official translator (aws-sam-translator) once per scenario, as
CloudFormation's AWS::Serverless transform does it at deploy time, and the logical id of every
function's AWS::Lambda::Version is reported. CloudFormation creates a version (a new SnapStart
snapshot, and the alias moves to it) exactly when that logical id changes between two deploys.

Input on stdin, JSON:
  {"template": "template.yaml",              (the default for scenarios without their own)
   "scenarios": [{"name": "baseline", "template": "deploys/0.yaml",
                  "parameters": {"DeployDigest": "0123456789", ...},
                  "artifacts": {"functions/target/shop-functions.jar": "s3://bucket/prefix/<md5>",
                                "layers/rds-ca-bundle/": "s3://bucket/prefix/<md5>"}}]}
"artifacts" plays `sam package`: each local CodeUri/ContentUri becomes the S3 URI given (SAM names
the object by a hash of its content, so new content means a new URI).

Output on stdout, JSON: {"baseline": {"CatalogApiFunction": {"version": "CatalogApiFunctionVersion1a2b3c4d5e",
                                                              "description": "..."}, ...}, ...}
"""
import copy
import json
import logging
import os
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no AWS managed policy by name; answer none, and never call IAM."""

    def load(self):
        return {}


def package(sam, artifacts):
    """Replaces local artifact paths by their S3 URIs, as `sam package` does."""
    def swap(props, key):
        value = props.get(key)
        if isinstance(value, str) and value in artifacts:
            props[key] = artifacts[value]
        elif isinstance(value, str) and not value.startswith("s3://"):
            raise SystemExit(f"no S3 URI given for the artifact {value}")

    swap(sam.get("Globals", {}).get("Function", {}), "CodeUri")
    for res in sam["Resources"].values():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Serverless::Function":
            swap(props, "CodeUri")
        elif res["Type"] == "AWS::Serverless::LayerVersion":
            swap(props, "ContentUri")


def versions(sam, parameters):
    cfn = transform(copy.deepcopy(sam), parameters, NoManagedPolicies())
    resources = cfn["Resources"]
    out = {}
    for rid, res in resources.items():
        if res["Type"] == "AWS::Lambda::Version":
            function = res["Properties"]["FunctionName"]["Ref"]
            out[function] = {"version": rid,
                             "description": resources[function]["Properties"].get("Description")}
    return out


def main():
    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-central-1")  # for ARNs the translator builds; no AWS call
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    request = json.load(sys.stdin)
    templates = {}
    result = {}
    for scenario in request["scenarios"]:
        path = scenario.get("template") or request["template"]
        if path not in templates:
            with open(path, encoding="utf-8") as f:
                templates[path] = yaml_parse(f.read())
        sam = copy.deepcopy(templates[path])
        package(sam, scenario.get("artifacts", {}))
        result[scenario["name"]] = versions(sam, scenario.get("parameters", {}))
    json.dump(result, sys.stdout, indent=1, sort_keys=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One synth of the Dynatrace same-region app (examples/dynatrace-same-region/main.ts) through
the Python binding (the wheel jsii-pacmak builds, installed in .venv-bindings/), timed from inside
a fresh Python process. bench/python-binding.sh runs it and bench/python-binding.ts several times
each and prints the ratio. Prints one JSON line: {"load_ms", "synth_ms", "total_ms"}.
"""
import json
import os
import sys
import tempfile
import time

start = time.perf_counter()
# Loading counts: `import aws_cdk` starts the jsii runtime (a node process that loads aws-cdk-lib).
import aws_cdk  # noqa: E402,F401
import aws_cdk.assertions  # noqa: E402,F401
import aws_cdk.aws_ec2  # noqa: E402,F401
import aws_cdk.aws_logs  # noqa: E402,F401
import aws_cdk.aws_secretsmanager  # noqa: E402,F401
import cdk_saas_privatelink  # noqa: E402,F401

loaded = time.perf_counter()

# The very app the Python binding test checks (bindings/python/test_dynatrace.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bindings", "python"))
from test_dynatrace import build_stack  # noqa: E402

stack = build_stack(outdir=os.path.join(tempfile.gettempdir(), f"bench-python-binding-py-{os.getpid()}"))
app = stack.node.root
assembly = app.synth()
end = time.perf_counter()

resources = len(assembly.get_stack_by_name("DynatraceSameRegion").template["Resources"])
print(json.dumps({
    "load_ms": (loaded - start) * 1000,
    "synth_ms": (end - loaded) * 1000,
    "total_ms": (end - start) * 1000,
    "resources": resources,
}))

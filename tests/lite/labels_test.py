"""codegen/labels/imagenet.txt is torchvision's ImageNet class list, line by line.

    /usr/bin/python3 labels_test.py codegen/labels/imagenet.txt

Exit 0 when equal, 1 when not, 77 (skip) without torchvision unless CI=true.
"""
import os
import sys

try:
    from torchvision.models._meta import _IMAGENET_CATEGORIES as names
except ImportError:
    print("torchvision missing")
    sys.exit(1 if os.environ.get("CI") == "true" else 77)

with open(sys.argv[1], encoding="ascii") as f:
    ours = f.read().split("\n")
if ours[-1] == "":
    ours.pop()
diff = [i for i, (a, b) in enumerate(zip(ours, names)) if a != b]
if len(ours) != len(names) or diff:
    print(f"labels: {len(ours)} names, torchvision has {len(names)}; first difference at "
          f"{diff[:1]}")
    sys.exit(1)
print(f"labels: {len(ours)} names, identical to torchvision's")

"""seeded.py — the non-trivial random layers every oracle tool starts from.

torchvision's default init (BN weight 1, bias 0, running stats 0/1, fan-out
Kaiming convs) gives vanishing activations at eval time, so every comparison
would pass trivially. init_layers gives convs fan-in He scaling and each BN
channel its own random scale, shift and statistics; the caller seeds torch
first and then damps its residual branches (their layout differs per model).
"""
import math

import torch


@torch.no_grad()
def init_layers(model):
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            fan_in = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
            m.weight.normal_(0.0, math.sqrt(2.0 / fan_in))
            if m.bias is not None:  # only the SE fc1/fc2 convs
                m.bias.uniform_(-0.1, 0.1)
        elif isinstance(m, torch.nn.BatchNorm2d):
            m.weight.uniform_(0.5, 1.5)
            m.bias.uniform_(-0.2, 0.2)
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 2.0)
        elif isinstance(m, torch.nn.Linear):
            m.weight.normal_(0.0, math.sqrt(1.0 / m.in_features))
            m.bias.uniform_(-0.1, 0.1)

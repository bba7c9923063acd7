#!/usr/bin/env python3
"""Exports a BERT sentence encoder (last_hidden_state) to ONNX fp32, opset 17, dynamic batch and length.

  python Scripts/reference/export_onnx.py MODEL_DIR OUT.onnx

Scripts/bench-encoder runs it once and caches the file. Needs transformers, torch and onnx (the "st"
virtualenv: see docs/BENCHMARKS.md). Origin: the team's reference script for the encoder figures,
kept here unchanged in what it does.
"""
import sys

if sys.argv[1:2] in (["-h"], ["--help"]):
    sys.exit(print(__doc__))
if len(sys.argv) < 3:
    sys.exit(__doc__)
import torch
from transformers import AutoModel, AutoTokenizer

model_dir, out = sys.argv[1:3]
m = AutoModel.from_pretrained(model_dir).eval(); tok = AutoTokenizer.from_pretrained(model_dir)
class Wrapped(torch.nn.Module):
    def __init__(self, m): super().__init__(); self.m = m
    def forward(self, a, b, c): return self.m(input_ids=a, attention_mask=b, token_type_ids=c).last_hidden_state
x = tok(["hello world"] * 2, return_tensors="pt", padding="max_length", max_length=16)
names = ["input_ids", "attention_mask", "token_type_ids"]
torch.onnx.export(Wrapped(m), tuple(x[n] for n in names), out, input_names=names, output_names=["last_hidden_state"],
                  dynamic_axes={k: {0: "b", 1: "s"} for k in names + ["last_hidden_state"]}, opset_version=17, dynamo=False)

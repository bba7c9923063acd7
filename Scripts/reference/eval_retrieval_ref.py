#!/usr/bin/env python3
"""The reference retrieval pipeline: passage-level R@k and MRR@10 on SQuAD-format data.

  python Scripts/reference/eval_retrieval_ref.py MODEL_DIR [DATA_DIR]

all-MiniLM-L6-v2 dense (sentence-transformers), SQLite FTS5 BM25 (the question's words OR-ed, porter
stemming) and reciprocal-rank fusion (k = 60), with paragraphs as the units. DATA_DIR defaults to
eval/squad-public. Needs sentence-transformers and torch (the "st" virtualenv: see docs/BENCHMARKS.md).

Origin: the anchor script the team measured eval/README.md's reference figures with; kept here,
unchanged in what it computes, so that the figures can be reproduced from this repository alone.
"""
import json, os, re, sqlite3, sys

if sys.argv[1:2] in (["-h"], ["--help"]):
    sys.exit(print(__doc__))
if len(sys.argv) < 2:
    sys.exit(__doc__)
import numpy as np, torch
from sentence_transformers import SentenceTransformer

torch.set_num_threads(2)
model_dir = sys.argv[1]
data = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "eval", "squad-public")
ps = [json.loads(l) for l in open(f"{data}/passages.jsonl")]
qs = [json.loads(l) for l in open(f"{data}/questions.jsonl")]
pos = {p["_id"]: k for k, p in enumerate(ps)}
m = SentenceTransformer(model_dir, device="cpu")
E = m.encode([p["title"] + "\n" + p["text"] for p in ps], batch_size=32, normalize_embeddings=True)
QE = m.encode([q["question"] for q in qs], batch_size=64, normalize_embeddings=True)
db = sqlite3.connect(":memory:")
db.execute("create virtual table c using fts5(body, tokenize='porter unicode61')")
db.executemany("insert into c(rowid, body) values(?,?)", [(k, p["title"] + "\n" + p["text"]) for k, p in enumerate(ps)])
S = QE @ E.T
res = {"dense": [], "bm25": [], "hybrid": []}
for qi, q in enumerate(qs):
    d = list(np.argsort(-S[qi])[:100])
    words = re.findall(r"\w+", q["question"].lower())
    b = [r[0] for r in db.execute("select rowid from c where c match ? order by bm25(c) limit 100",
                                  (" OR ".join('"%s"' % w for w in words),))]
    fused = {}
    for lst in (d, b):
        for r, k in enumerate(lst):
            fused[k] = fused.get(k, 0) + 1 / (60 + r + 1)
    h = sorted(fused, key=lambda k: -fused[k])[:100]
    g = pos[q["passage_id"]]
    for name, lst in (("dense", d), ("bm25", b), ("hybrid", h)):
        res[name].append(lst.index(g) + 1 if g in lst else 10**9)
for name, r in res.items():
    r = np.array(r)
    print(f"{name:6s} R@1={np.mean(r<=1):.3f} R@5={np.mean(r<=5):.3f} R@10={np.mean(r<=10):.3f} MRR@10={np.mean(np.where(r<=10,1/r,0)):.3f}")

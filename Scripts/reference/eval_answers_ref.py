#!/usr/bin/env python3
"""The reference answer pipeline: SQuAD exact match and F1 of a plain RAG pipeline built from well-known parts.

  python Scripts/reference/eval_answers_ref.py LLAMA_SIMPLE MODEL.gguf MINILM_DIR DATA_DIR N [SEED]

MiniLM dense + FTS5 BM25 fused by reciprocal rank (top 5 paragraphs), answered by llama.cpp's
llama-simple (Scripts/build-llama-cpp; greedy) in ChatML, on random.Random(SEED).sample of N questions
(SEED 7 by default, the draw of eval/README.md's reference figures); each question is asked with the
retrieved paragraphs (rag) and with the gold paragraph only (oracle). Needs sentence-transformers and
torch (the "st" virtualenv: see docs/BENCHMARKS.md). `Scripts/eval --reference` runs it on Sotto's sample.

Origin: the anchor script the team measured eval/README.md's reference figures with; kept here with the
seed made an argument (it was fixed at 7), so that those figures can be reproduced from this repository.
"""
import collections, json, random, re, sqlite3, string, subprocess, sys

if sys.argv[1:2] in (["-h"], ["--help"]):
    sys.exit(print(__doc__))
if len(sys.argv) < 6:
    sys.exit(__doc__)
import numpy as np, torch
from sentence_transformers import SentenceTransformer

torch.set_num_threads(2)
simple, model, minilm, data, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
seed = int(sys.argv[6]) if len(sys.argv) > 6 else 7
ps = [json.loads(l) for l in open(f"{data}/passages.jsonl")]
qs = [json.loads(l) for l in open(f"{data}/questions.jsonl")]
pos = {p["_id"]: k for k, p in enumerate(ps)}
m = SentenceTransformer(minilm, device="cpu")
E = m.encode([p["title"] + "\n" + p["text"] for p in ps], batch_size=32, normalize_embeddings=True)
db = sqlite3.connect(":memory:")
db.execute("create virtual table c using fts5(body, tokenize='porter unicode61')")
db.executemany("insert into c(rowid, body) values(?,?)", [(k, p["title"] + "\n" + p["text"]) for k, p in enumerate(ps)])
def norm(s):
    s = "".join(ch for ch in s.lower() if ch not in set(string.punctuation))
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", s).split())
def f1(p, g):
    pt, gt = norm(p).split(), norm(g).split()
    c = sum((collections.Counter(pt) & collections.Counter(gt)).values())
    return 0.0 if c == 0 else 2 * (c / len(pt)) * (c / len(gt)) / (c / len(pt) + c / len(gt))
def ask(sources, question):
    ctx = "\n\n".join(f"[{i+1}] {p['title']}: {p['text']}" for i, p in enumerate(sources))
    prompt = ("<|im_start|>system\nYou answer questions using only the numbered sources. Reply with the shortest exact "
              "answer phrase, no sentence.<|im_end|>\n"
              f"<|im_start|>user\nSources:\n{ctx}\n\nQuestion: {question}<|im_end|>\n<|im_start|>assistant\n")
    out = subprocess.run([simple, "-m", model, "-n", "32", prompt], capture_output=True, text=True).stdout
    ans = out.split("<|im_start|>assistant\n", 1)[-1]
    return ans.split("<|im_end|>")[0].strip().split("\n")[0]
random.seed(seed)
scores = {"rag": ([], []), "oracle": ([], [])}
for q in random.sample(qs, n):
    qe = m.encode([q["question"]], normalize_embeddings=True)[0]
    d = list(np.argsort(-(E @ qe))[:50])
    words = re.findall(r"\w+", q["question"].lower())
    b = [r[0] for r in db.execute("select rowid from c where c match ? order by bm25(c) limit 50",
                                  (" OR ".join('"%s"' % w for w in words),))]
    fused = {}
    for lst in (d, b):
        for r, k in enumerate(lst):
            fused[k] = fused.get(k, 0) + 1 / (61 + r)
    top = [ps[k] for k in sorted(fused, key=lambda k: -fused[k])[:5]]
    for cond, sources in (("rag", top), ("oracle", [ps[pos[q["passage_id"]]]])):
        a = ask(sources, q["question"])
        scores[cond][0].append(max(float(norm(a) == norm(g)) for g in q["answers"]))
        scores[cond][1].append(max(f1(a, g) for g in q["answers"]))
for cond, (em, fs) in scores.items():
    print(f"{cond}: EM={np.mean(em):.3f} F1={np.mean(fs):.3f} (n={n})")

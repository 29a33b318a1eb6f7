#!/usr/bin/env python3
"""HTML benchmark: body F1 (article-extraction-benchmark), date accuracy (htmldate pages) and pages/s,
for newsfacts and for trafilatura, side by side in one run, one core each, text + title + date from one
parse per page. Called by scripts/bench-html; see README "HTML benchmark".

Scoring follows the two datasets' READMEs: word 4-gram shingle multisets per document, precision and
recall macro-averaged, F1 of the two averages; dates compared as YYYY-MM-DD, `null` truth scored as
TN (no prediction) / FP (any prediction)."""
import argparse, gzip, json, os, re, subprocess, time
from collections import Counter

WORD = re.compile(r"\w+")


def shingles(text):
    toks = WORD.findall(text or "")
    if not toks:
        return Counter()
    if len(toks) < 4:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i:i + 4]) for i in range(len(toks) - 3))


def body_scores(truth, pred):
    ps, rs = [], []
    per_doc = {}
    for k, t in truth.items():
        ref = shingles(t["articleBody"])
        hyp = shingles(pred.get(k) or "")
        tp = sum((ref & hyp).values())
        fp = sum(hyp.values()) - tp
        fn = sum(ref.values()) - tp
        if fp == 0 and fn == 0:
            p = r = 1.0
        else:
            p = tp / (tp + fp) if tp + fp else 0.0
            r = tp / (tp + fn) if tp + fn else 0.0
        if tp + fp > 0:
            ps.append(p)
        if tp + fn > 0:
            rs.append(r)
        per_doc[k] = (p, r)
    P = sum(ps) / len(ps) if ps else 0.0
    R = sum(rs) / len(rs) if rs else 0.0
    F = 2 * P * R / (P + R) if P + R else 0.0
    return P, R, F, per_doc


def date_accuracy(truth, pred):
    ok = 0
    for k, t in truth.items():
        exp, got = t["date"], pred.get(k)
        if exp is None:
            ok += got is None
        else:
            ok += got == exp
    return ok / len(truth)


def load(args):
    aeb_gt = json.load(open(os.path.join(args.aeb, "ground-truth.json")))
    hd = json.load(open(os.path.join(args.htmldate, "dates.json")))
    manifest = []
    for k, v in sorted(aeb_gt.items()):
        manifest.append({"id": "aeb:" + k, "file": os.path.join(args.aeb, "html", k + ".html.gz"), "url": v.get("url")})
    for k, v in sorted(hd.items()):
        manifest.append({"id": "hd:" + k, "file": os.path.join(args.htmldate, v["file"]),
                         "url": None if args.no_url else v.get("url")})
    return aeb_gt, hd, manifest


def run_newsfacts(args, manifest):
    out = subprocess.run([args.newsfacts_bench], input=json.dumps(manifest).encode(), capture_output=True, check=True)
    res = json.loads(out.stdout)
    secs = res.get("cpu_seconds") or res["seconds"]
    return secs, res["seconds"], res["results"]


def run_trafilatura(manifest):
    import trafilatura
    pages = []
    for m in manifest:
        with gzip.open(m["file"], "rb") as f:
            pages.append((m["id"], f.read(), m["url"]))
    results = {}
    start = time.perf_counter()
    cpu_start = time.thread_time()
    for k, data, url in pages:
        doc = trafilatura.bare_extraction(data, url=url, with_metadata=True, include_comments=False)
        if doc is None:
            results[k] = {"text": "", "title": None, "date": None}
        else:
            results[k] = {"text": doc.text or "", "title": doc.title, "date": (doc.date or None)}
    wall = time.perf_counter() - start
    cpu = time.thread_time() - cpu_start
    for v in results.values():
        if v["date"]:
            v["date"] = v["date"][:10]
    return cpu, wall, results, trafilatura.__version__


def score(name, seconds, wall, results, aeb_gt, hd, n):
    body = {k: results.get("aeb:" + k, {}).get("text", "") for k in aeb_gt}
    P, R, F, per_doc = body_scores(aeb_gt, body)
    dates = {k: results.get("hd:" + k, {}).get("date") for k in hd}
    acc = date_accuracy(hd, dates)
    return {"name": name, "P": P, "R": R, "F": F, "date_acc": acc, "pps": n / seconds, "wall_pps": n / wall, "per_doc": per_doc,
            "dates": dates}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--aeb", required=True)
    ap.add_argument("--htmldate", required=True)
    ap.add_argument("--newsfacts-bench", required=True)
    ap.add_argument("--skip-trafilatura", action="store_true")
    ap.add_argument("--no-url", action="store_true", help="do not give the page URL to either extractor")
    ap.add_argument("--details", help="write per-page scores and dates to this JSON file")
    args = ap.parse_args()
    aeb_gt, hd, manifest = load(args)
    n = len(manifest)
    rows = []
    secs, wall, res = run_newsfacts(args, manifest)
    rows.append(score("newsfacts", secs, wall, res, aeb_gt, hd, n))
    if not args.skip_trafilatura:
        secs, wall, tres, ver = run_trafilatura(manifest)
        rows.append(score("trafilatura " + ver, secs, wall, tres, aeb_gt, hd, n))
    print(f"pages: {len(aeb_gt)} body (article-extraction-benchmark) + {len(hd)} dated (htmldate), "
          f"URL given: {'no' if args.no_url else 'yes'}; one core; pages/s over all {n} pages "
          f"(CPU time of the extracting thread; wall-clock in brackets)")
    print()
    print("| extractor | body F1 (P / R) | date accuracy | pages/s |")
    print("|---|---|---|---|")
    for r in rows:
        print(f"| {r['name']} | {r['F']:.3f} ({r['P']:.3f} / {r['R']:.3f}) | {r['date_acc']:.3f} | {r['pps']:.0f} ({r['wall_pps']:.0f}) |")
    if len(rows) == 2:
        print()
        print(f"speed ratio newsfacts / trafilatura: {rows[0]['pps'] / rows[1]['pps']:.1f}x")
    if args.details:
        with open(args.details, "w") as f:
            json.dump({"rows": rows,
                       "newsfacts": res, "truth_dates": {k: v["date"] for k, v in hd.items()}}, f)


if __name__ == "__main__":
    main()

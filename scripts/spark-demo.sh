#!/usr/bin/env bash
# Runs `newsfacts extract -` unchanged under Apache Spark in local mode (`rdd.pipe`) over a JSON Lines
# corpus, runs it directly over the same corpus, and compares the sorted facts: prints EQUAL (exit 0)
# or DIFFERENT (exit 1).
#
# A demo for people, not a CI step: the first run downloads pyspark from PyPI (about 320 MB) into a
# virtualenv. Needs python3 (with venv), Java 17 (`java` on PATH or JAVA_HOME) and a Rust toolchain.
#
#   scripts/spark-demo.sh [CORPUS.jsonl]
#
# Without CORPUS, the corpus is the fixture articles, each repeated REPEAT times under new ids.
# Environment: SPARK_VENV (virtualenv folder, default target/spark-venv), NEWSFACTS (a built binary;
# default: cargo build --release), PARTITIONS (default 4), REPEAT (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${SPARK_VENV:-target/spark-venv}
PARTITIONS=${PARTITIONS:-4}
REPEAT=${REPEAT:-20}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Spark runs the command as written, so `newsfacts` must be on the PATH the executors inherit.
BIN_DIR=$WORK/bin
mkdir "$BIN_DIR"

if [ -z "${JAVA_HOME:-}" ]; then
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
  export JAVA_HOME
fi
echo "java: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"

if [ -z "${NEWSFACTS:-}" ]; then
  cargo build --release --quiet
  NEWSFACTS=$PWD/target/release/newsfacts
fi
ln -s "$(readlink -f "$NEWSFACTS")" "$BIN_DIR/newsfacts"
export PATH="$BIN_DIR:$PATH"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import pyspark' 2>/dev/null; then
  echo "installing pyspark into $VENV (first run only)"
  "$VENV/bin/pip" install --quiet pyspark
fi
echo "pyspark: $("$VENV/bin/python" -c 'import pyspark; print(pyspark.__version__)')"

CORPUS=${1:-}
if [ -z "$CORPUS" ]; then
  CORPUS=$WORK/corpus.jsonl
  # Each fixture as one JSON line, as `newsfacts read` sees it (date header split off), with an
  # explicit `source`: without one, records name `<stdin>:LINE`, and line numbers restart in every
  # Spark partition.
  newsfacts read -q fixtures/*.txt > "$WORK/articles.jsonl"
  python3 - "$REPEAT" "$WORK/articles.jsonl" > "$CORPUS" <<'PY'
import json, sys
repeat, articles = int(sys.argv[1]), sys.argv[2]
articles = [json.loads(line) for line in open(articles, encoding="utf-8")]
for k in range(repeat):
    for a in articles:
        ident = a["id"] if k == 0 else f"{a['id']}~{k}"
        print(json.dumps({"id": ident, "date": a["date"], "text": a["text"], "source": f"{a['source']}#{k}"}))
PY
fi
echo "corpus: $CORPUS ($(wc -l < "$CORPUS") articles), $PARTITIONS partitions"

newsfacts extract -q - < "$CORPUS" | LC_ALL=C sort > "$WORK/direct.jsonl"

cat > "$WORK/job.py" <<'PY'
import os, sys
from pyspark import SparkConf, SparkContext

corpus, out, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3])
sc = SparkContext(conf=SparkConf().setMaster("local[*]").setAppName("newsfacts-pipe"))
sc.setLogLevel("ERROR")
# rdd.pipe starts the command with only the environment it is given: pass PATH so it finds newsfacts.
facts = sc.textFile(corpus, minPartitions=partitions).pipe(
    "newsfacts extract -", env={"PATH": os.environ["PATH"]}
)
with open(out, "w", encoding="utf-8") as f:
    for line in facts.collect():
        f.write(line + "\n")
sc.stop()
PY
"$VENV/bin/python" "$WORK/job.py" "$CORPUS" "$WORK/spark-unsorted.jsonl" "$PARTITIONS"
LC_ALL=C sort "$WORK/spark-unsorted.jsonl" > "$WORK/spark.jsonl"

echo "direct: $(wc -l < "$WORK/direct.jsonl") facts; spark: $(wc -l < "$WORK/spark.jsonl") facts"
if [ ! -s "$WORK/direct.jsonl" ]; then
  # Two empty outputs are equal and prove nothing.
  echo "DIFFERENT: the direct run gave no facts"
  exit 1
fi
if cmp -s "$WORK/direct.jsonl" "$WORK/spark.jsonl"; then
  echo EQUAL
else
  diff "$WORK/direct.jsonl" "$WORK/spark.jsonl" | head -20
  echo DIFFERENT
  exit 1
fi

"""What Sotto's Python scripts share: the repository's places, the daemon's Unix-socket HTTP client,
where the llama.cpp reference build and the Python virtualenvs live, the virtualenv re-exec, a daemon
of a script's own, and the public SQuAD half written as Markdown articles.

Every default is inside the repository or under the user's own directories, and each can be
overridden by an environment variable (named in the functions below) or by the scripts' options.
Standard library only.
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EVAL_DATA = os.path.join(ROOT, "eval", "squad-public")
REFERENCE_SCRIPTS = os.path.join(ROOT, "Scripts", "reference")
CACHE = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sotto")


def models_dir():
    """Scripts/fetch-models' directory: $SOTTO_MODELS_DIR, else ~/.local/share/sotto/models."""
    return os.environ.get("SOTTO_MODELS_DIR") or os.path.expanduser("~/.local/share/sotto/models")


def llama_cpp_dir():
    """Scripts/build-llama-cpp's directory: $SOTTO_LLAMA_CPP, else ~/.cache/sotto/llama.cpp."""
    return os.environ.get("SOTTO_LLAMA_CPP") or os.path.join(CACHE, "llama.cpp")


def venv_dir(name):
    """A virtualenv for the reference tools: $SOTTO_VENV_<NAME>, else ~/.cache/sotto/venv-<name>.

    "gguf" holds gguf and numpy; "st" sentence-transformers, torch, onnx and onnxruntime;
    "tok" tokenizers. None of them is inside the repository.
    """
    return os.environ.get("SOTTO_VENV_" + name.upper()) or os.path.join(CACHE, "venv-" + name)


def reexec_in_venv(name, script):
    """Runs the calling script again under venv_dir(name)'s python, once; exits saying how to make the
    virtualenv when it does not exist. Call it where an import of the virtualenv's packages failed."""
    python = os.path.join(venv_dir(name), "bin", "python")
    # sys.prefix, not the interpreter's real path: a virtualenv's python is a symlink to the system's.
    if os.path.exists(python) and os.path.realpath(sys.prefix) != os.path.realpath(venv_dir(name)):
        os.execv(python, [python] + sys.argv)
    sys.exit(f"{script}: a package is missing; make the virtualenv {venv_dir(name)} (see {script} --help), "
             f"or set SOTTO_VENV_{name.upper()} to one that has it")


class UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP/1.1 over the daemon's Unix socket."""

    def __init__(self, path, timeout=600):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def call(sock, method, path, body=None, timeout=600):
    """One request to /v1<path>; the decoded JSON body, or the raw bytes when it is not JSON.
    A status of 400 or more raises RuntimeError with the start of the body."""
    conn = UnixHTTPConnection(sock, timeout)
    conn.request(method, "/v1" + path, body=json.dumps(body) if body is not None else None,
                 headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    if response.status >= 400:
        raise RuntimeError(f"{method} {path}: {response.status} {data[:300]!r}")
    return json.loads(data) if response.headers.get("Content-Type", "").startswith("application/json") else data


def proc_status_mb(pid, key):
    """A memory figure of /proc/PID/status (VmRSS, VmHWM, ...) in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_daemon(binary, models, work, config_text, env=None):
    """A sottod on a socket, database and configuration of its own in `work` (environment `env`, else this
    process's), answering on its socket; returns (process, socket)."""
    sock = os.path.join(work, "s.sock")
    config = os.path.join(work, "sottod.toml")
    open(config, "w").write(config_text)
    daemon = subprocess.Popen([binary, "--config", config, "--socket", sock, "--database", os.path.join(work, "index.sqlite"),
                               "--models", models], stderr=open(os.path.join(work, "sottod.log"), "w"), env=env)
    for _ in range(1200):
        try:
            call(sock, "GET", "/status")
            break
        except OSError:
            time.sleep(0.1)
    return daemon, sock


def stop_daemon(daemon):
    if daemon:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=60)


def build_corpus(data, folder, skip=frozenset()):
    """Writes the articles (but those in `skip`); returns {passage_id: (file, byte_start)} and the file of each passage."""
    articles = {}
    for line in open(os.path.join(data, "passages.jsonl"), encoding="utf-8"):
        p = json.loads(line)
        article = p["_id"].split("_")[0]
        if article in skip:
            continue
        articles.setdefault(article, {"title": p["title"], "paragraphs": []})["paragraphs"].append((p["_id"], p["text"]))
    where = {}
    for article, content in sorted(articles.items()):
        name = re.sub(r"[^A-Za-z0-9]+", "_", content["title"]).strip("_") + ".md"
        path = os.path.join(folder, f"{article}-{name}")
        out = bytearray()
        out += f"# {content['title']}\n\n".encode()
        for index, (pid, text) in enumerate(content["paragraphs"]):
            if index:
                out += b"\n\n"
            where[pid] = (path, len(out))
            out += text.encode()
        out += b"\n"
        with open(path, "wb") as f:
            f.write(out)
    return where

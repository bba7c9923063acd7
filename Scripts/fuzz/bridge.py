"""A loopback TCP to Unix socket bridge for Scripts/fuzz-api: schemathesis speaks HTTP over TCP only.

  python3 bridge.py SOCKET PORTFILE

Listens on 127.0.0.1 only (a free port, written to PORTFILE) and copies bytes both ways between each
TCP connection and a new connection to SOCKET. Runs until killed. Standard library only.
"""
import socket
import sys
import threading


def pump(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock, how in ((target, socket.SHUT_WR), (source, socket.SHUT_RD)):
            try:
                sock.shutdown(how)
            except OSError:
                pass


def serve(client, path):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(path)
    except OSError:
        client.close()
        return
    threads = [threading.Thread(target=pump, args=(client, upstream), daemon=True),
               threading.Thread(target=pump, args=(upstream, client), daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.close()
    upstream.close()


def main():
    path, port_file = sys.argv[1], sys.argv[2]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    with open(port_file, "w") as out:
        out.write(str(listener.getsockname()[1]))
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, path), daemon=True).start()


if __name__ == "__main__":
    main()

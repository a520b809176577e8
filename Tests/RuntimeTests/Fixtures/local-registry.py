#!/usr/bin/env python3
"""A read-only Docker registry (HTTP API v2) on 127.0.0.1, serving one image made from `docker save` output,
so the runtime's tests can pull for real without reaching any outside registry.

usage: local-registry.py SAVED.tar REPOSITORY TAG [--break-blobs]

Prints the port it listens on, then serves until killed. --break-blobs answers 404 for the layer blobs: the
manifest resolves, so the engine answers the pull with 200 and reports the failure as an error line inside
the stream, which is what nalabo must notice.
"""
import gzip
import hashlib
import http.server
import json
import sys
import tarfile

saved, repository, tag = sys.argv[1:4]
break_blobs = "--break-blobs" in sys.argv[4:]

blobs = {}
with tarfile.open(saved) as archive:
    manifest = json.load(archive.extractfile("manifest.json"))[0]
    config = archive.extractfile(manifest["Config"]).read()
    layers = [gzip.compress(archive.extractfile(name).read(), compresslevel=1) for name in manifest["Layers"]]


def add(data):
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    blobs[digest] = data
    return {"size": len(data), "digest": digest}


image_manifest = json.dumps({
    "schemaVersion": 2,
    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
    "config": {"mediaType": "application/vnd.docker.container.image.v1+json", **add(config)},
    "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", **add(layer)} for layer in layers],
}).encode()
manifest_digest = "sha256:" + hashlib.sha256(image_manifest).hexdigest()
layer_digests = {"sha256:" + hashlib.sha256(layer).hexdigest() for layer in layers}


class Registry(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self, status, body=b"", content_type="application/json", extra=None, head=False):
        self.send_response(status)
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def route(self, head):
        path = self.path.split("?")[0]
        if path in ("/v2", "/v2/"):
            return self.answer(200, b"{}", head=head)
        prefix = f"/v2/{repository}/"
        if path.startswith(prefix + "manifests/"):
            reference = path[len(prefix + "manifests/"):]
            if reference in (tag, manifest_digest):
                return self.answer(200, image_manifest, "application/vnd.docker.distribution.manifest.v2+json",
                                   {"Docker-Content-Digest": manifest_digest}, head)
        if path.startswith(prefix + "blobs/"):
            digest = path[len(prefix + "blobs/"):]
            if digest in blobs and not (break_blobs and digest in layer_digests):
                return self.answer(200, blobs[digest], "application/octet-stream", {"Docker-Content-Digest": digest}, head)
        self.answer(404, json.dumps({"errors": [{"code": "BLOB_UNKNOWN" if "/blobs/" in path else "MANIFEST_UNKNOWN",
                                                  "message": "not served by this test registry"}]}).encode(), head=head)

    def do_GET(self):
        self.route(head=False)

    def do_HEAD(self):
        self.route(head=True)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
print(server.server_address[1], flush=True)
server.serve_forever()

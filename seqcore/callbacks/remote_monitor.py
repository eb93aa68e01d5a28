"""RemoteMonitor: post each epoch's logs to a server."""
import json
import urllib.parse
import urllib.request
import warnings

import numpy as np

from seqcore.callbacks.callback import Callback


class RemoteMonitor(Callback):
    """Sends each epoch's logs (and `epoch`) by HTTP POST to `root + path`,
    as a form field `field` holding JSON, or as a JSON body when
    `send_as_json`. Uses only the standard library; a failed request is a
    warning, never an error. Nothing is sent before `fit` runs.

    Args:
        root: the server's root URL.
        path: the path the events are posted to.
        field: the form field of the JSON data.
        headers: extra HTTP headers.
        send_as_json: send a JSON body instead of a form.
    """

    _chief_only = True    # writes: rank 0 only under distribution

    def __init__(self, root="http://localhost:9000",
                 path="/publish/epoch/end/", field="data", headers=None,
                 send_as_json=False):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def _payload(self, epoch, logs):
        send = {"epoch": epoch}
        for k, v in (logs or {}).items():
            # per-class metric values (arrays) go as lists
            send[k] = np.asarray(v).tolist() if isinstance(
                v, (np.ndarray, np.generic)) else v
        return send

    def _request(self, send):
        """The urllib Request this callback would post."""
        headers = dict(self.headers or {})
        if self.send_as_json:
            data = json.dumps(send).encode("utf-8")
            headers.setdefault("Content-Type", "application/json")
        else:
            data = urllib.parse.urlencode(
                {self.field: json.dumps(send)}).encode("utf-8")
        return urllib.request.Request(self.root + self.path, data=data,
                                      headers=headers, method="POST")

    def on_epoch_end(self, epoch, logs=None):
        request = self._request(self._payload(epoch, logs))
        try:
            with urllib.request.urlopen(request, timeout=10):
                pass
        except OSError:
            warnings.warn(f"Could not reach RemoteMonitor root server at "
                          f"{self.root}", stacklevel=2)

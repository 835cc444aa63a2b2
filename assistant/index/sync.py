"""Bring the side store in line with the manifest, from the nodes in Chroma.

The side store follows the manifest: an interview whose live version there is not the version
the store holds is refilled from that version's nodes (their documents and metadata hold every
turn exactly), and an interview no longer live is dropped. Nothing is embedded. This runs when
a build starts and when an index is opened: after a build that died between switching an
interview and writing its rows, or on a second machine sharing one Chroma server. Opening
compares at all only when the store is not marked as following the manifest's current change
counter (:func:`follows`).
"""

from __future__ import annotations

import sqlite3

from assistant.index import nodes as node_records
from assistant.index.manifest import Manifest
from assistant.index.side import SideStore
from assistant.index.store import NodeCollections
from assistant.model import Evidence
from assistant.units import Unit

_PAGE = 2000


#: Side-store info key: the manifest (collection and change counter) the store was last found
#: to follow.
FOLLOWS = "follows"


def _followed(manifest_id: str, manifest: Manifest) -> str:
    return f"{manifest_id}:{manifest.counter}"


def follows(side: SideStore, manifest_id: str, manifest: Manifest) -> bool:
    """Whether the store was found to follow this manifest, so that opening need not read the
    interview records to compare versions.

    The mark can be trusted because the store never moves ahead of the manifest: a build writes
    an interview's rows only after the manifest write that switched it, which bumps the counter,
    and a full rebuild makes a new manifest collection (a new id). So a store that followed the
    manifest at a counter still does while the counter is the same; a build that died between
    the switch and the rows has already bumped it."""
    return side.info(FOLLOWS) == _followed(manifest_id, manifest)


def mark_followed(side: SideStore, manifest_id: str, manifest: Manifest) -> None:
    """Record that the store follows ``manifest`` (just compared, or reconciled with it). Only
    a shortcut for the next opening: a store that cannot be written is compared again then."""
    try:
        side.set_info(FOLLOWS, _followed(manifest_id, manifest))
    except sqlite3.Error:
        pass


def out_of_date(side: SideStore, manifest: Manifest) -> bool:
    have = side.versions()
    live = {iid: e.version for iid, e in manifest.interviews.items()}
    return have != live


def reconcile(side: SideStore, nodes: NodeCollections, manifest: Manifest) -> list[str]:
    """Refill or drop what differs; returns the interviews touched."""
    have = side.versions()
    live = manifest.interviews
    touched = []
    for iid in sorted(set(have) - set(live)):
        side.remove(iid)
        touched.append(iid)
    for iid, entry in live.items():
        if have.get(iid) != entry.version:
            refill(side, nodes, iid, entry.version)
            touched.append(iid)
    return touched


def refill(side: SideStore, nodes: NodeCollections, interview_id: str, version: int) -> None:
    turns: list[tuple[str, Evidence]] = []
    units: list[tuple[str, Unit]] = []
    where = {"$and": [{"interview": interview_id}, {"version": version}]}
    for kind, collection in nodes.by_kind.items():
        offset = 0
        while True:
            got = collection.get(
                where=where, limit=_PAGE, offset=offset, include=["documents", "metadatas"]
            )
            for node_id, text, meta in zip(
                got["ids"], got["documents"], got["metadatas"], strict=True
            ):
                if kind == node_records.TURN:
                    turns.append((node_id, node_records.evidence_from_record(text or "", meta)))
                else:
                    units.append((node_id, node_records.unit_from_record(meta)))
            if len(got["ids"]) < _PAGE:
                break
            offset += _PAGE
    turns.sort(key=lambda row: row[1].turn.ordinal)
    units.sort(key=lambda row: (row[1].ordinals[0], row[1].kind))
    side.replace(interview_id, version, turns, units)

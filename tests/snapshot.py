"""Snapshots that hold on the pinned and on the newest Home Assistant release.

Home Assistant's own snapshot extension serializes registry entries field by field, so a field a
newer release adds shows as a difference. Exactly those fields are left out of the serialized
entries; every other field stays compared, and a field added by a later release fails the
snapshot until it is listed here.
"""

from __future__ import annotations

from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.syrupy import (
    HomeAssistantSnapshotExtension,
    HomeAssistantSnapshotSerializer,
)
from syrupy.types import SerializableData

# Entity registry fields newer than the pinned release (2026.10.4), with the release adding them.
ENTITY_FIELDS_ADDED_AFTER_PIN = {"compat_name": "2026.11.0"}


class PinnedRegistrySerializer(HomeAssistantSnapshotSerializer):
    """Home Assistant's serializer, without the registry fields newer than the pinned release."""

    @classmethod
    def _serializable_entity_registry_entry(cls, data: er.RegistryEntry) -> SerializableData:
        serialized = super()._serializable_entity_registry_entry(data)
        for field in ENTITY_FIELDS_ADDED_AFTER_PIN:
            serialized.pop(field, None)
        return serialized


class PinnedRegistrySnapshotExtension(HomeAssistantSnapshotExtension):
    """Home Assistant's snapshot extension with the serializer above."""

    serializer_class = PinnedRegistrySerializer

"""Public catalogue data of the cloud: concentrate types and recommended misting plans."""

from __future__ import annotations

from typing import Any

LIQUID_TYPES: tuple[dict[str, Any], ...] = (
    {
        "id": "1",
        "liquidName": "Mosquito Concentrate",
        "liquidConcentration": 100,
        "description": "Standard mosquito control concentrate",
    },
    {
        "id": "2",
        "liquidName": "Natural Botanical",
        "liquidConcentration": 60,
        "description": "Plant-based repellent concentrate",
    },
    {
        "id": "3",
        "liquidName": "Cooling Water",
        "liquidConcentration": 20,
        "description": "Plain water for cooling mist",
    },
)


def recommended_plans(base_url: str) -> list[dict[str, Any]]:
    """The public misting plans, with banner addresses on the serving host."""
    plans = (
        ("Dawn and dusk", [(6, 0, 45, "0,1,2,3,4,5,6"), (19, 30, 60, "0,1,2,3,4,5,6")]),
        ("Evenings only", [(20, 0, 60, "0,1,2,3,4,5,6")]),
        ("Weekend gatherings", [(17, 0, 90, "0,6"), (20, 0, 60, "0,5,6")]),
    )
    return [
        {
            "id": f"plan-{index}",
            "title": title,
            "banner": f"{base_url}static/plan-{index}.png",
            "sortOrder": index,
            "schedules": [
                {"hour": hour, "minute": minute, "duration": duration, "repeatSet": repeat}
                for hour, minute, duration, repeat in runs
            ],
        }
        for index, (title, runs) in enumerate(plans, start=1)
    ]

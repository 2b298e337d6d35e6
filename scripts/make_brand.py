"""Draw the integration's brand images reproducibly (run: .venv/bin/python scripts/make_brand.py).

The mark is a charger (rounded body with a lightning bolt) beside three mist droplets: the two
device families of the integration. Drawn at 4x and downsampled for smooth edges; the output is
deterministic for a given Pillow version, so the committed PNGs can be regenerated at will.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

BRAND_DIR = Path(__file__).resolve().parent.parent / "custom_components/openevse_moogo/brand"
SUPERSAMPLE = 4
CHARGER_GREEN = (46, 160, 67, 255)
BOLT_WHITE = (255, 255, 255, 255)
MIST_BLUE = (33, 150, 243, 255)


def _droplet(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float) -> None:
    """A droplet: a circle with a pointed top."""
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=MIST_BLUE)
    draw.polygon(
        [(cx - r * 0.93, cy - r * 0.35), (cx, cy - r * 2.3), (cx + r * 0.93, cy - r * 0.35)],
        fill=MIST_BLUE,
    )


def draw_mark(size: int) -> Image.Image:
    """Return the square mark at ``size`` pixels with a transparent background."""
    s = size * SUPERSAMPLE
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    u = s / 32  # drawing grid: 32 x 32 units
    # Charger body and its cable.
    draw.rounded_rectangle((3 * u, 3 * u, 18 * u, 29 * u), radius=3 * u, fill=CHARGER_GREEN)
    draw.line(
        (18 * u, 22 * u, 21 * u, 22 * u, 21 * u, 27 * u), fill=CHARGER_GREEN, width=int(2 * u)
    )
    # Lightning bolt on the body.
    bolt = [
        (12 * u, 6 * u),
        (6.5 * u, 17 * u),
        (10.5 * u, 17 * u),
        (9 * u, 26 * u),
        (15 * u, 13.5 * u),
        (11 * u, 13.5 * u),
        (13.5 * u, 6 * u),
    ]
    draw.polygon(bolt, fill=BOLT_WHITE)
    # Mist droplets to the right.
    _droplet(draw, 25.5 * u, 9 * u, 2.3 * u)
    _droplet(draw, 28.5 * u, 16.5 * u, 2.0 * u)
    _droplet(draw, 25 * u, 24 * u, 2.3 * u)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write icon.png (256), icon@2x.png (512) and logo.png (256) into the brand folder."""
    BRAND_DIR.mkdir(parents=True, exist_ok=True)
    draw_mark(256).save(BRAND_DIR / "icon.png", optimize=True)
    draw_mark(512).save(BRAND_DIR / "icon@2x.png", optimize=True)
    draw_mark(256).save(BRAND_DIR / "logo.png", optimize=True)


if __name__ == "__main__":
    main()

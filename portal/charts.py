"""The portal's charts as data: what static/portal/charts.js hands to chart.js (npm, served from
this site), built here so the pages' templates hold no arithmetic and the browser no rules. Every
chart has axis titles, a legend and the NHS colours, and its page puts the same figures in a table
beside it (for screen readers, and for anyone without JavaScript). Pure: no database.

Colours are the NHS identity palette (NHS service manual, "Colours"; nhsuk-frontend): NHS blue
#005eb8, dark blue #003087, bright blue #0072ce, aqua green #00a499, warm yellow #ffb81c, purple
#330072, dark pink #7c2855, orange #ed8b00, dark grey #425563, mid grey #768692, red #d5281b.
Series colours never carry meaning alone: the legend and the table name every series.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import spc

NHS_BLUE = "#005eb8"
NHS_DARK_BLUE = "#003087"
NHS_BRIGHT_BLUE = "#0072ce"
NHS_AQUA_GREEN = "#00a499"
NHS_WARM_YELLOW = "#ffb81c"
NHS_PURPLE = "#330072"
NHS_DARK_PINK = "#7c2855"
NHS_ORANGE = "#ed8b00"
NHS_DARK_GREY = "#425563"
NHS_MID_GREY = "#768692"
NHS_RED = "#d5281b"
NHS_GREEN = "#007f3b"

SERIES = (
    NHS_BLUE,
    NHS_AQUA_GREEN,
    NHS_WARM_YELLOW,
    NHS_PURPLE,
    NHS_DARK_PINK,
    NHS_DARK_GREY,
    NHS_BRIGHT_BLUE,
)

# Making Data Count's variation colours: grey for common cause, blue for a special cause that is an
# improvement, orange for one that is a concern (purple where the measure has no better direction).
VARIATION_COLOURS = {
    "common": NHS_MID_GREY,
    "improvement": NHS_BLUE,
    "concern": NHS_ORANGE,
    "neutral": NHS_PURPLE,
}
VARIATION_SHAPES = {"common": "circle", "improvement": "triangle", "concern": "rectRot", "neutral": "rect"}
VARIATION_LABELS = {
    "improvement": "Special cause: improvement",
    "concern": "Special cause: concern",
    "neutral": "Special cause",
}


def series_colour(index: int) -> str:
    return SERIES[index % len(SERIES)]


def chart(
    *,
    kind: str,
    labels: Sequence[str],
    datasets: list[dict],
    x_title: str,
    y_title: str,
    y_min: float | None = 0,
    y_max: float | None = None,
    y_suffix: str = "",
    y_whole_numbers: bool = False,
) -> dict:
    """A chart: "bar" or "line", its x labels, datasets (label, data, colour; optional type, dash,
    point colours and shapes, show_line), and its axes (a count's in whole numbers)."""
    return {
        "kind": kind,
        "labels": list(labels),
        "datasets": datasets,
        "x_title": x_title,
        "y_title": y_title,
        "y_min": y_min,
        "y_max": y_max,
        "y_suffix": y_suffix,
        "y_whole_numbers": y_whole_numbers,
    }


def dataset(label: str, data: Sequence[float | None], colour: str, **extra) -> dict:
    return {"label": label, "data": list(data), "colour": colour, **extra}


def spc_chart(
    *,
    labels: Sequence[str],
    values: Sequence[float | None],
    measure: str,
    higher_is_better: bool | None,
    y_title: str,
    y_suffix: str = "",
    target: float | None = None,
    target_label: str = "",
    y_min: float | None = None,
    y_max: float | None = None,
) -> dict | None:
    """A Making Data Count XmR chart of `values` over `labels`: the measure (each point coloured
    and shaped by its variation), the mean, the upper and lower process limits, and the target if
    any; with `summary`, the same in words for the table. None when there are too few values."""
    xmr = spc.xmr(values)
    if xmr is None:
        return None
    variations = [point.variation(higher_is_better=higher_is_better) for point in xmr.points]
    flat = len(labels)
    # A limit beyond what the measure can be (a per cent over 100) is drawn at the axis's end;
    # the words beside the chart give it as computed.
    upper = xmr.upper_limit if y_max is None else min(xmr.upper_limit, y_max)
    lower = xmr.lower_limit if y_min is None else max(xmr.lower_limit, y_min)
    datasets = [
        dataset(
            measure,
            values,
            NHS_DARK_GREY,
            type="line",
            point_colours=[VARIATION_COLOURS[v] for v in variations],
            point_shapes=[VARIATION_SHAPES[v] for v in variations],
            point_radius=5,
        ),
        dataset("Mean", [round(xmr.mean, 1)] * flat, NHS_DARK_BLUE, type="line", point_radius=0),
        dataset(
            "Process limits",
            [round(upper, 1)] * flat,
            NHS_MID_GREY,
            type="line",
            dash=[6, 4],
            point_radius=0,
        ),
        # The lower limit shares the legend entry "Process limits" (charts.js hides this one's).
        dataset(
            "Lower process limit",
            [round(lower, 1)] * flat,
            NHS_MID_GREY,
            type="line",
            dash=[6, 4],
            point_radius=0,
            legend=False,
        ),
    ]
    if target is not None:
        datasets.append(
            dataset(
                target_label or "Target", [target] * flat, NHS_RED, type="line", dash=[2, 3], point_radius=0
            )
        )
    for variation in ("improvement", "concern", "neutral"):
        if variation in variations:  # a legend key for each kind of special cause shown
            datasets.append(
                dataset(
                    VARIATION_LABELS[variation],
                    [None] * flat,
                    VARIATION_COLOURS[variation],
                    type="line",
                    show_line=False,
                    point_shapes=[VARIATION_SHAPES[variation]] * flat,
                    point_colours=[VARIATION_COLOURS[variation]] * flat,
                )
            )
    spec = chart(
        kind="line",
        labels=labels,
        datasets=datasets,
        x_title="Month",
        y_title=y_title,
        y_min=y_min,
        y_max=y_max,
        y_suffix=y_suffix,
    )
    spec["summary"] = spc_summary(labels, xmr, variations, y_suffix)
    return spec


def spc_summary(labels: Sequence[str], xmr: spc.XmrChart, variations: list[str], suffix: str) -> dict:
    """The XmR chart in words: mean, process limits and each special-cause point with why."""
    return {
        "mean": f"{xmr.mean:.1f}{suffix}",
        "upper_limit": f"{xmr.upper_limit:.1f}{suffix}",
        "lower_limit": f"{xmr.lower_limit:.1f}{suffix}",
        "special_causes": [
            {
                "label": labels[index],
                "value": f"{point.value:g}{suffix}",
                "variation": VARIATION_LABELS[variations[index]],
                "reasons": point.reasons(),
            }
            for index, point in enumerate(xmr.points)
            if point.special_cause
        ],
    }

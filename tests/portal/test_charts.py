"""The chart data portal/charts.py hands to static/portal/charts.js: axes, legend, NHS colours and
the Making Data Count look of an XmR chart."""

from portal import charts


def test_an_xmr_chart_colours_and_shapes_each_point_by_its_variation_and_keys_the_legend():
    """Making Data Count: common cause grey, special-cause improvement blue, concern orange. By
    hand: [10, 10, 10, 10, 30] has mean 14, limits 0.7 and 27.3, so 30 is outside: an improvement
    where higher is better."""
    spec = charts.spc_chart(
        labels=["Jan", "Feb", "Mar", "Apr", "May"],
        values=[10, 10, 10, 10, 30],
        measure="Seen in time",
        higher_is_better=True,
        y_title="Per cent",
        y_suffix="%",
        target=20,
        target_label="Standard (20%)",
    )
    measure, mean, upper, lower, target, improvement = spec["datasets"]
    assert measure["point_colours"] == [charts.NHS_MID_GREY] * 4 + [charts.NHS_BLUE]
    assert measure["point_shapes"] == ["circle"] * 4 + ["triangle"]
    assert (mean["label"], mean["data"], mean["colour"]) == ("Mean", [14.0] * 5, charts.NHS_DARK_BLUE)
    assert (upper["label"], upper["data"][0]) == ("Process limits", 27.3)
    assert (lower["data"][0], lower["legend"]) == (0.7, False)
    assert (target["label"], target["colour"]) == ("Standard (20%)", charts.NHS_RED)
    assert improvement["label"] == "Special cause: improvement"
    assert (spec["x_title"], spec["y_title"], spec["y_suffix"]) == ("Month", "Per cent", "%")
    assert spec["summary"]["special_causes"] == [
        {
            "label": "May",
            "value": "30%",
            "variation": "Special cause: improvement",
            "reasons": ["outside the process limits"],
        }
    ]


def test_where_lower_is_better_the_same_point_is_a_concern():
    spec = charts.spc_chart(
        labels=list("abcde"),
        values=[10, 10, 10, 10, 30],
        measure="Days",
        higher_is_better=False,
        y_title="Days",
    )
    assert spec["datasets"][0]["point_colours"][-1] == charts.NHS_ORANGE
    assert spec["datasets"][-1]["label"] == "Special cause: concern"


def test_limits_beyond_the_axis_are_drawn_at_its_ends_and_given_as_computed_in_words():
    """By hand: [100, 50]: mean 75, one moving range of 50, limits 75 ± 133 = -58 and 208."""
    spec = charts.spc_chart(
        labels=["Sep", "Oct"], values=[100, 50], measure="In time", higher_is_better=True,
        y_title="Per cent", y_suffix="%", y_min=0, y_max=100,
    )  # fmt: skip
    assert spec["datasets"][2]["data"] == [100.0, 100.0]
    assert spec["datasets"][3]["data"] == [0.0, 0.0]
    assert (spec["summary"]["lower_limit"], spec["summary"]["upper_limit"]) == ("-58.0%", "208.0%")


def test_too_few_values_give_no_xmr_chart():
    assert charts.spc_chart(labels=["a"], values=[5], measure="x", higher_is_better=True, y_title="x") is None


def test_series_take_the_nhs_palette_in_turn():
    assert [charts.series_colour(i) for i in range(3)] == ["#005eb8", "#00a499", "#ffb81c"]
    assert charts.series_colour(len(charts.SERIES)) == "#005eb8"

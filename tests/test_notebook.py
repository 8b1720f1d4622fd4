"""The example notebook, executed end to end by a real ipykernel against the sandbox."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parent.parent / "examples" / "notebook.ipynb"


def test_notebook_runs_top_to_bottom(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    outputs = [cell.get("outputs", []) for cell in notebook.cells if cell.cell_type == "code"]
    assert all(output.get("output_type") != "error" for cell in outputs for output in cell)
    user_repr = outputs[0][0]["data"]["text/plain"]
    assert user_repr.startswith("User(id=")
    profiles_table = outputs[1][0]["data"]["text/html"]
    assert "twitter" in profiles_table
    assert "America/New_York" in profiles_table
    (result,) = [o for o in outputs[3] if o["output_type"] == "execute_result"]
    total, summed = ast.literal_eval(result["data"]["text/plain"])
    assert total == summed == 336  # every sent update of the demo account, counted per day
    assert any("image/png" in output.get("data", {}) for output in outputs[3])  # the plot

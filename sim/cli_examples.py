"""An example at the end of every subcommand's ``--help``: a first command to copy."""

from __future__ import annotations

import argparse

__all__ = ["EXAMPLES", "add_examples"]

# One example a command at least, shown at the end of its --help.
EXAMPLES = {
    "run": ["run.py run scenarios/baseline.yaml --weeks 104 --set population.size=20000",
            "run.py run --place Lancaster --weeks 52 --set population.scale=0.2"],
    "sweep": ["run.py validate scenarios/sweeps/activist_share.yaml   # runs and time first",
              "run.py sweep scenarios/sweeps/activist_share.yaml --workers 2"],
    "compare": ["run.py compare scenarios/done_to.yaml scenarios/done_with.yaml "
                "--replicates 8 --set population.size=20000",
                "run.py compare --place E07000121 done_to done_with "
                "--set population.scale=0.1"],
    "demo": ["run.py demo --out results/my-demo"],
    "evidence": ["run.py evidence --replicates 2",
                 "run.py evidence --targets my_evidence_targets.yaml"],
    "calibrate": ["run.py calibrate scenarios/baseline.yaml --targets my_place_targets.yaml"],
    "dashboard": ["run.py dashboard --host 0.0.0.0 --port 8765   # let the room connect"],
    "validate": ["run.py validate scenarios/done_with.yaml",
                 "run.py validate scenarios/sweeps/behaviour_sobol.yaml --workers 8"],
    "list": ["run.py list"],
    "places": ["run.py places --search lancaster",
               "run.py places --icb 'Lancashire and South Cumbria'"],
    "show": ["run.py show done_with --place Lancaster"],
    "parameters": ["run.py parameters --place            # describe your place first",
                   "run.py parameters --section policies.screening",
                   "run.py parameters --search loneliness"],
}


def add_examples(sub) -> None:
    """Give every subcommand's --help its examples (after the options)."""
    for name, parser in sub.choices.items():
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        parser.epilog = "example:\n" + "\n".join(f"  python {e}" for e in EXAMPLES[name])

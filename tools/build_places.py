"""Build ``sim/data/england_places.npz``, the places of England that Placesim ships.

Reads three open datasets, one row per 2011 LSOA of England (32,844 areas), and writes
one compressed NumPy archive of a few MB that :mod:`sim.places` loads at run time. This
script documents how the shipped file was made; it is not needed to run the model::

    python tools/build_places.py SOURCE_DIR [--out sim/data/england_places.npz]

``SOURCE_DIR`` holds the three gzipped CSVs (their names are below). They are official
statistics under the Open Government Licence v3.0; the attribution lines travel in the
archive (``attribution``) and in NOTICE. Nothing is edited: the archive holds the same
counts and deciles, re-ordered and indexed.

What the archive holds (arrays, no pickled objects):

- ``lsoa_code`` (n,), ``lsoa_ages`` (n, 91) residents aged 0 .. 89 and 90+ (uint16),
  ``lsoa_imd_decile`` (n,) 1 = most deprived tenth of England, ``lsoa_ltla``,
  ``lsoa_icb`` and ``lsoa_msoa`` (n,) indices into the tables below;
- ``ltla_code``, ``ltla_name``; ``icb_code``, ``icb_name``; ``msoa_name``;
- ``format_version``, ``data_version``, ``attribution``, ``sources``.

LSOAs are sorted by ICB, local authority, MSOA and LSOA code, so the LSOAs of an MSOA
are consecutive, and MSOAs are in their ONS numbering within each authority. The MSOA
of a 2011 LSOA is its name without the final letter ("Lancaster 001A" is in
"Lancaster 001"): ONS named LSOAs after the MSOA that contains them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

FORMAT_VERSION = 1
DATA_VERSION = "ONS mid-2020 LSOA11 populations; IMD 2019; LSOA11-ICB22-LTLA22 lookup (July 2022)"
POPULATION = "population_mid2020_lsoa11_single_year_of_age.csv.gz"
IMD = "imd2019_lsoa11.csv.gz"
LOOKUP = "lookup_lsoa11_subicb22_icb22_ltla22.csv.gz"
AGES = [str(a) for a in range(90)] + ["90+"]
ATTRIBUTION = (
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0 "
    "(Lower layer Super Output Area population estimates, mid-2020).\n"
    "Contains public sector information licensed under the Open Government Licence v3.0 "
    "(MHCLG, English Indices of Deprivation 2019).\n"
    "Source: Office for National Statistics licensed under the Open Government Licence v.3.0; "
    "contains OS data (c) Crown copyright and database right (LSOA 2011 to sub-ICB location, "
    "ICB and LTLA lookup, July 2022, ONS Open Geography Portal).")
SOURCES = (
    "Converted unchanged from the R data packages of the humaniverse project: "
    "demographr d0417101e5cad5fe1eca059ac60859e9157a29d2 data/population20_lsoa11.rda; "
    "IMD 2f6c9050afee99a40041eb63b02b6b0c58850704 data/imd2019_england_lsoa11.rda; "
    "geographr c026be5cc76cb576358082b53f1f13d69ab577ae "
    "data/lookup_lsoa11_sicbl22_icb22_ltla22.rda")


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Index of each value into the sorted unique values, and those values."""
    table = np.array(sorted(values.unique()))
    return np.searchsorted(table, values.to_numpy()).astype(np.uint16), table


def build(source: Path) -> dict[str, np.ndarray]:
    """The archive's arrays, from the three CSVs in ``source``."""
    pop = pd.read_csv(source / POPULATION, dtype={"lsoa11_code": str})
    imd = pd.read_csv(source / IMD, usecols=["lsoa11_code", "IMD_decile"])
    geo = pd.read_csv(source / LOOKUP, dtype=str)
    frame = geo.merge(pop.drop(columns="lsoa11_name"), on="lsoa11_code", validate="1:1")
    frame = frame.merge(imd, on="lsoa11_code", validate="1:1")
    if not len(frame) == len(pop) == len(imd) == len(geo):
        raise SystemExit("the three files do not cover the same LSOAs")
    ages = frame[AGES].to_numpy()
    if (ages.sum(axis=1) != frame["total_population"].to_numpy()).any():
        raise SystemExit("single years of age do not sum to the total population")
    if ages.max() > np.iinfo(np.uint16).max:
        raise SystemExit("an LSOA's count for one year of age does not fit in 16 bits")
    frame["msoa11_name"] = frame["lsoa11_name"].str[:-1].str.strip()
    frame = frame.sort_values(["icb22_code", "ltla22_code", "msoa11_name", "lsoa11_code"],
                              kind="stable").reset_index(drop=True)
    ltla, ltla_code = _codes(frame["ltla22_code"])
    icb, icb_code = _codes(frame["icb22_code"])
    msoa, msoa_name = _codes(frame["msoa11_name"])
    names = frame.drop_duplicates("ltla22_code").set_index("ltla22_code")["ltla22_name"]
    icb_names = frame.drop_duplicates("icb22_code").set_index("icb22_code")["icb22_name"]
    return {
        "format_version": np.array(FORMAT_VERSION),
        "data_version": np.array(DATA_VERSION),
        "attribution": np.array(ATTRIBUTION),
        "sources": np.array(SOURCES),
        "lsoa_code": frame["lsoa11_code"].to_numpy().astype("U9"),
        "lsoa_ages": frame[AGES].to_numpy().astype(np.uint16),
        "lsoa_imd_decile": frame["IMD_decile"].to_numpy().astype(np.uint8),
        "lsoa_ltla": ltla, "lsoa_icb": icb, "lsoa_msoa": msoa,
        "ltla_code": ltla_code.astype("U9"),
        "ltla_name": names.loc[ltla_code].to_numpy().astype(str),
        "icb_code": icb_code.astype("U9"),
        "icb_name": icb_names.loc[icb_code].to_numpy().astype(str),
        "msoa_name": msoa_name.astype(str),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, help="folder holding the three gzipped CSVs")
    parser.add_argument("--out", type=Path,
                        default=Path(__file__).resolve().parent.parent / "sim" / "data"
                        / "england_places.npz")
    args = parser.parse_args(argv)
    missing = [n for n in (POPULATION, IMD, LOOKUP) if not (args.source / n).exists()]
    if missing:
        print(f"error: {args.source}: missing {', '.join(missing)}", file=sys.stderr)
        return 2
    arrays = build(args.source)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    tmp.replace(args.out)
    people = int(arrays["lsoa_ages"].sum(dtype=np.int64))
    print(f"wrote {args.out}: {len(arrays['lsoa_code']):,} LSOAs, {people:,} people, "
          f"{len(arrays['ltla_code'])} local authorities, {len(arrays['icb_code'])} ICBs, "
          f"{len(arrays['msoa_name']):,} MSOAs; {args.out.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())

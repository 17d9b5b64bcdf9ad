"""Shared fixtures: a small deterministic population of reports to train the model on."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from vigil.lib.linkage.records import LINK_COLUMNS

SURNAMES = (
    "Петров Сидоров Козлов Новиков Морозов Волков Лебедев Соколов Попов Кузнецов Смирнов Васильев Зайцев "
    "Павлов Голубев Виноградов Богданов Фёдоров Михайлов Беляев Тарасов Белов Комаров Орлов Макаров Андреев "
    "Ковалёв Жуков Карпович Мельник Шевчук Бондаренко Лукашук Новик Мороз Гурин Сорокин Ермаков Гусев Титов"
).split()
GIVEN = (
    "Александр Дмитрий Максим Андрей Алексей Артём Илья Кирилл Михаил Никита Роман Егор Денис Евгений "
    "Даниил Павел Олег Игорь"
).split()
CITY_SPELLINGS = ("Минск", "Мінск", "Minsk", "г. Минск")


def background_reports(n_persons: int = 160, *, seed: int = 7) -> pd.DataFrame:
    """Reports about ``n_persons`` men, 1-3 reports each, in the shape ``vigil link`` reads.

    Same script throughout, names sometimes surname first, birth data on about half the reports: enough
    variety for EM to learn weights, small enough to link in about a second.
    """
    rng = random.Random(seed)
    rows = []
    for p in range(n_persons):
        surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(42 * 365))
        for r in range(rng.choice((1, 1, 2, 2, 3))):
            full = f"{surname} {given}" if rng.random() < 0.5 else f"{given} {surname}"
            has_date = rng.random() < 0.5
            rows.append(
                {
                    "record_id": f"bg{p:03d}-{r}",
                    "source": rng.choice(("hotline", "lawyer", "court_list")),
                    "full_name": full,
                    "birth_date": born.isoformat() if has_date else "",
                    "birth_year": str(born.year) if has_date or rng.random() < 0.3 else "",
                    "sex": "m" if rng.random() < 0.6 else "",
                    "city": rng.choice(CITY_SPELLINGS),
                    "detained_on": rng.choice(("2020-11-08", "2020-11-08", "2020-11-09")),
                    "true_person": f"bg{p:03d}",
                }
            )
    return pd.DataFrame(rows)


def frame(rows: list[dict[str, str]], background: pd.DataFrame | None = None) -> pd.DataFrame:
    """Test rows (missing link columns filled with "") on top of an optional background population."""
    extra = pd.DataFrame([{c: row.get(c, "") for c in (*LINK_COLUMNS, "true_person")} for row in rows])
    parts = [extra] if background is None else [background, extra]
    return pd.concat(parts, ignore_index=True)[list(LINK_COLUMNS)]


@pytest.fixture(scope="session")
def background() -> pd.DataFrame:
    return background_reports()

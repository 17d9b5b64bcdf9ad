"""The detained population: a person's identity (name parts drawn from the pools), the sampler that draws
identities and cities for both ``generate_world`` and ``link_rows``, birth dates, and one detention as it
truly happened.
"""

from __future__ import annotations

import bisect
import datetime
import random
from dataclasses import dataclass

import numpy as np

from vigil.lib.synthetic.name_pools import _fathers, _Given, _givens, _Surname, _surnames
from vigil.lib.synthetic.places import _city_choice
from vigil.lib.synthetic.records import MARCH_DATE


@dataclass(frozen=True)
class _Identity:
    """A detained person's name parts as indices into the pools (cheap enough for a million persons)."""

    surname: _Surname
    given: _Given
    father: _Given
    sex: str
    folk: bool  # uses a Belarusian folk form (Алесь) when writing Belarusian

    @property
    def surname_ru(self) -> str:
        return self.surname.ru_m if self.sex == "m" else self.surname.ru_f

    @property
    def surname_be(self) -> str:
        return self.surname.be_m if self.sex == "m" else self.surname.be_f

    @property
    def given_be(self) -> str:
        return self.given.be_folk[0] if self.folk and self.given.be_folk else self.given.be

    @property
    def patronymic_ru(self) -> str:
        return self.father.patr_ru_m if self.sex == "m" else self.father.patr_ru_f

    @property
    def patronymic_be(self) -> str:
        return self.father.patr_be_m if self.sex == "m" else self.father.patr_be_f


def _draw_birth_date(rng: random.Random) -> datetime.date:
    age = min(75.0, 18.0 + rng.gammavariate(2.2, 7.0))
    days = int(age * 365.25) + rng.randrange(365)
    return MARCH_DATE - datetime.timedelta(days=days)


class _Sampler:
    """Draws identities; shared by generate_world and link_rows so both show the same hard cases."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames, sw = _surnames()
        self.s_cum: list[float] = np.cumsum(sw).tolist()
        self.givens = _givens()
        self.g_cum: dict[str, list[float]] = {
            sex: np.cumsum(w).tolist() for sex, (_, w) in self.givens.items()
        }
        self.fathers, fw = _fathers()
        self.f_cum: list[float] = np.cumsum(fw).tolist()
        self.city_names, city_probs = _city_choice()
        self.city_cum: list[float] = np.cumsum(city_probs).tolist()

    def city(self) -> str:
        """A detention/home city: Minsk for most, regional cities for the rest."""
        return self.city_names[self._pick(self.city_cum)]

    def _pick(self, cum: list[float]) -> int:
        return min(bisect.bisect_right(cum, self.rng.random() * cum[-1]), len(cum) - 1)

    def identity(
        self,
        *,
        sex: str | None = None,
        surname: _Surname | None = None,
        father: _Given | None = None,
        given: _Given | None = None,
    ) -> _Identity:
        rng = self.rng
        sex = sex or ("m" if rng.random() < 0.72 else "f")  # most detainees in Nov 2020 were men
        surname = surname or self.surnames[self._pick(self.s_cum)]
        given = given or self.givens[sex][0][self._pick(self.g_cum[sex])]
        father = father or self.fathers[self._pick(self.f_cum)]
        return _Identity(surname, given, father, sex, folk=bool(given.be_folk) and rng.random() < 0.25)


@dataclass
class _Detention:
    person_index: int
    city: str
    date: datetime.date
    event_slug: str | None
    at: datetime.datetime
    place: str
    unit: str
    held_at: str
    injuries: str

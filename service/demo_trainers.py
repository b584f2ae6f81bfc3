"""Demo data for the trainer pool pages (``tuoyu serve --demo``): three trainers of the first
demo base (synthetic ID numbers with a valid check character, qualifications, the demo course
they may teach) and one promotion with its reason, so ``/base/trainers`` and
``/dashboard/trainers`` show a pool. Idempotent: nothing is added when any trainer exists."""

from __future__ import annotations

import training
from service.runtime import Runtime
from talent_pool.identity import id_check_character
from training.pool_schemas import QualificationIn, RankChangeIn, TrainerIn

DEMO_TRAINERS = (
    # (name, birth date, title, qualification, certificate number)
    ("王秀兰", "19750312", "主任护师", "育婴员（一级）", "YY-2015-0107"),
    ("李建华", "19820605", "主治医师", "保育师（二级）", "BY-2019-0233"),
    ("赵敏", "19900920", "幼儿园一级教师", "育婴员（三级）", "YY-2021-0488"),
)


def _id_number(district_code: str, birth: str, seq: int) -> str:
    first17 = f"{district_code}{birth}{seq:03d}"
    return first17 + id_check_character(first17)


async def ensure_trainer_demo(rt: Runtime, base_id: int, course_id: int) -> None:
    """Add the demo trainers to base ``base_id`` (allowed to teach ``course_id``) and promote the
    first to 高级讲师, unless the pool already has trainers."""
    if await training.list_trainers():
        return
    base = await training.get_training_base(base_id)
    for seq, (name, birth, title, qualification, number) in enumerate(DEMO_TRAINERS, start=1):
        trainer = await training.create_trainer(
            TrainerIn(
                id_number=_id_number(base.district_code, birth, 800 + seq),
                name=name,
                district_code=base.district_code,
                training_base_id=base_id,
                title=title,
                qualifications=[
                    QualificationIn(name=qualification, number=number, issuer="济南市人力资源和社会保障局")
                ],
            ),
            today=rt.today(),
        )
        await training.allow_course(trainer.id, course_id, by="demo", now=rt.now())
        if seq == 1:
            await training.change_rank(
                trainer.id,
                RankChangeIn(rank="senior", reason="年度考核优秀，学员评价高"),
                by="demo",
                today=rt.today(),
            )

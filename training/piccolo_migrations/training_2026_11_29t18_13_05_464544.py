from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete
from piccolo.columns.base import OnUpdate
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Serial
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Check
from piccolo.constraints import Unique
from piccolo.table import Table

from talent_pool.schema_change import EngineSpecificMigration


class Attendance(Table, tablename="tr_attendance", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Course(Table, tablename="tr_course", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Enrollment(Table, tablename="tr_enrollment", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Lesson(Table, tablename="tr_lesson", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Practitioner(Table, tablename="tp_practitioner", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Session(Table, tablename="tr_session", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class Trainer(Table, tablename="tr_trainer", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


class TrainingBase(Table, tablename="tr_training_base", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name="id",
        secret=False,
    )


ID = "2026-11-29T18:13:05:464544"
VERSION = "1.38.0"
DESCRIPTION = "training in depth: tables with composite constraints"

# New tables with composite unique/check constraints: Piccolo's CREATE TABLE adds them with
# ALTER TABLE, which SQLite cannot do, so the tables are created here with the constraints inline
# (the recorded operations below keep Piccolo's schema snapshot right).
POSTGRES = [
    'CREATE TABLE "tr_attendance_upload" ("id" SERIAL PRIMARY KEY NOT NULL, "training_base" INTEGER REFERENCES "tr_training_base" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "client_row_id" VARCHAR(64) NOT NULL DEFAULT \'\', "digest" VARCHAR(64) NOT NULL DEFAULT \'\', "attendance" INTEGER REFERENCES "tr_attendance" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "uploaded_by" VARCHAR(64) NOT NULL DEFAULT \'\', "uploaded_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT tr_attendance_upload_once UNIQUE ("training_base", "client_row_id"))',
    'CREATE INDEX tr_attendance_upload_training_base ON "tr_attendance_upload" USING btree ("training_base")',
    'CREATE INDEX tr_attendance_upload_attendance ON "tr_attendance_upload" USING btree ("attendance")',
    'CREATE TABLE "tr_notification" ("id" SERIAL PRIMARY KEY NOT NULL, "practitioner" INTEGER REFERENCES "tp_practitioner" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "kind" VARCHAR(24) NOT NULL DEFAULT \'\', "subject" VARCHAR(96) NOT NULL DEFAULT \'\', "title" VARCHAR(128) NOT NULL DEFAULT \'\', "text" TEXT NOT NULL DEFAULT \'\', "phone" VARCHAR(20) NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "sent_at" TIMESTAMPTZ DEFAULT null, "last_error" TEXT NOT NULL DEFAULT \'\', CONSTRAINT tr_notification_once UNIQUE ("practitioner", "kind", "subject"))',
    'CREATE INDEX tr_notification_practitioner ON "tr_notification" USING btree ("practitioner")',
    'CREATE TABLE "tr_trainer_course" ("id" SERIAL PRIMARY KEY NOT NULL, "trainer" INTEGER REFERENCES "tr_trainer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "course" INTEGER REFERENCES "tr_course" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "approved_by" VARCHAR(64) NOT NULL DEFAULT \'\', "approved_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT tr_trainer_course_once UNIQUE ("trainer", "course"))',
    'CREATE INDEX tr_trainer_course_trainer ON "tr_trainer_course" USING btree ("trainer")',
    'CREATE INDEX tr_trainer_course_course ON "tr_trainer_course" USING btree ("course")',
    'CREATE TABLE "tr_session_trainer" ("id" SERIAL PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "tr_session" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "trainer" INTEGER REFERENCES "tr_trainer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "assigned_by" VARCHAR(64) NOT NULL DEFAULT \'\', "assigned_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT tr_session_trainer_once UNIQUE ("session", "trainer"))',
    'CREATE INDEX tr_session_trainer_session ON "tr_session_trainer" USING btree ("session")',
    'CREATE INDEX tr_session_trainer_trainer ON "tr_session_trainer" USING btree ("trainer")',
    'CREATE TABLE "tr_trainer_evaluation" ("id" SERIAL PRIMARY KEY NOT NULL, "trainer" INTEGER REFERENCES "tr_trainer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "enrollment" INTEGER REFERENCES "tr_enrollment" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "score" INTEGER NOT NULL DEFAULT 0, "comment" TEXT NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT tr_trainer_evaluation_once UNIQUE ("trainer", "enrollment"), CONSTRAINT tr_trainer_evaluation_score CHECK (score >= 1 AND score <= 5))',
    'CREATE INDEX tr_trainer_evaluation_trainer ON "tr_trainer_evaluation" USING btree ("trainer")',
    'CREATE INDEX tr_trainer_evaluation_enrollment ON "tr_trainer_evaluation" USING btree ("enrollment")',
    'CREATE TABLE "tr_lesson_progress" ("id" SERIAL PRIMARY KEY NOT NULL, "enrollment" INTEGER REFERENCES "tr_enrollment" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "lesson" INTEGER REFERENCES "tr_lesson" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "covered_seconds" INTEGER NOT NULL DEFAULT 0, "watched_seconds" INTEGER NOT NULL DEFAULT 0, "last_position" INTEGER NOT NULL DEFAULT 0, "last_beat_at" TIMESTAMPTZ DEFAULT null, CONSTRAINT tr_lesson_progress_once UNIQUE ("enrollment", "lesson"), CONSTRAINT tr_lesson_progress_seconds CHECK (covered_seconds >= 0 AND watched_seconds >= 0 AND last_position >= 0))',
    'CREATE INDEX tr_lesson_progress_enrollment ON "tr_lesson_progress" USING btree ("enrollment")',
    'CREATE INDEX tr_lesson_progress_lesson ON "tr_lesson_progress" USING btree ("lesson")',
    'CREATE TABLE "tr_subsidy_claim" ("id" SERIAL PRIMARY KEY NOT NULL, "enrollment" INTEGER UNIQUE REFERENCES "tr_enrollment" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "practitioner" INTEGER REFERENCES "tp_practitioner" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "course" INTEGER REFERENCES "tr_course" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "period_year" INTEGER NOT NULL DEFAULT 0, "claimed_on" DATE NOT NULL DEFAULT CURRENT_DATE, "recorded_by" VARCHAR(64) NOT NULL DEFAULT \'\', "recorded_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT tr_subsidy_claim_once UNIQUE ("practitioner", "course", "period_year"))',
    'CREATE INDEX tr_subsidy_claim_practitioner ON "tr_subsidy_claim" USING btree ("practitioner")',
    'CREATE INDEX tr_subsidy_claim_course ON "tr_subsidy_claim" USING btree ("course")',
]

SQLITE = [
    'CREATE TABLE "tr_attendance_upload" ("id" INTEGER PRIMARY KEY NOT NULL, "training_base" INTEGER REFERENCES "tr_training_base" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "client_row_id" VARCHAR(64) NOT NULL DEFAULT \'\', "digest" VARCHAR(64) NOT NULL DEFAULT \'\', "attendance" INTEGER REFERENCES "tr_attendance" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "uploaded_by" VARCHAR(64) NOT NULL DEFAULT \'\', "uploaded_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT tr_attendance_upload_once UNIQUE ("training_base", "client_row_id"))',
    'CREATE INDEX tr_attendance_upload_training_base ON "tr_attendance_upload" ("training_base")',
    'CREATE INDEX tr_attendance_upload_attendance ON "tr_attendance_upload" ("attendance")',
    'CREATE TABLE "tr_notification" ("id" INTEGER PRIMARY KEY NOT NULL, "practitioner" INTEGER REFERENCES "tp_practitioner" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "kind" VARCHAR(24) NOT NULL DEFAULT \'\', "subject" VARCHAR(96) NOT NULL DEFAULT \'\', "title" VARCHAR(128) NOT NULL DEFAULT \'\', "text" TEXT NOT NULL DEFAULT \'\', "phone" VARCHAR(20) NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "sent_at" TIMESTAMPTZ DEFAULT null, "last_error" TEXT NOT NULL DEFAULT \'\', CONSTRAINT tr_notification_once UNIQUE ("practitioner", "kind", "subject"))',
    'CREATE INDEX tr_notification_practitioner ON "tr_notification" ("practitioner")',
    'CREATE TABLE "tr_trainer_course" ("id" INTEGER PRIMARY KEY NOT NULL, "trainer" INTEGER REFERENCES "tr_trainer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "course" INTEGER REFERENCES "tr_course" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "approved_by" VARCHAR(64) NOT NULL DEFAULT \'\', "approved_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT tr_trainer_course_once UNIQUE ("trainer", "course"))',
    'CREATE INDEX tr_trainer_course_trainer ON "tr_trainer_course" ("trainer")',
    'CREATE INDEX tr_trainer_course_course ON "tr_trainer_course" ("course")',
    'CREATE TABLE "tr_session_trainer" ("id" INTEGER PRIMARY KEY NOT NULL, "session" INTEGER REFERENCES "tr_session" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "trainer" INTEGER REFERENCES "tr_trainer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "assigned_by" VARCHAR(64) NOT NULL DEFAULT \'\', "assigned_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT tr_session_trainer_once UNIQUE ("session", "trainer"))',
    'CREATE INDEX tr_session_trainer_session ON "tr_session_trainer" ("session")',
    'CREATE INDEX tr_session_trainer_trainer ON "tr_session_trainer" ("trainer")',
    'CREATE TABLE "tr_trainer_evaluation" ("id" INTEGER PRIMARY KEY NOT NULL, "trainer" INTEGER REFERENCES "tr_trainer" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "enrollment" INTEGER REFERENCES "tr_enrollment" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "score" INTEGER NOT NULL DEFAULT 0, "comment" TEXT NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT tr_trainer_evaluation_once UNIQUE ("trainer", "enrollment"), CONSTRAINT tr_trainer_evaluation_score CHECK (score >= 1 AND score <= 5))',
    'CREATE INDEX tr_trainer_evaluation_trainer ON "tr_trainer_evaluation" ("trainer")',
    'CREATE INDEX tr_trainer_evaluation_enrollment ON "tr_trainer_evaluation" ("enrollment")',
    'CREATE TABLE "tr_lesson_progress" ("id" INTEGER PRIMARY KEY NOT NULL, "enrollment" INTEGER REFERENCES "tr_enrollment" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "lesson" INTEGER REFERENCES "tr_lesson" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "covered_seconds" INTEGER NOT NULL DEFAULT 0, "watched_seconds" INTEGER NOT NULL DEFAULT 0, "last_position" INTEGER NOT NULL DEFAULT 0, "last_beat_at" TIMESTAMPTZ DEFAULT null, CONSTRAINT tr_lesson_progress_once UNIQUE ("enrollment", "lesson"), CONSTRAINT tr_lesson_progress_seconds CHECK (covered_seconds >= 0 AND watched_seconds >= 0 AND last_position >= 0))',
    'CREATE INDEX tr_lesson_progress_enrollment ON "tr_lesson_progress" ("enrollment")',
    'CREATE INDEX tr_lesson_progress_lesson ON "tr_lesson_progress" ("lesson")',
    'CREATE TABLE "tr_subsidy_claim" ("id" INTEGER PRIMARY KEY NOT NULL, "enrollment" INTEGER UNIQUE REFERENCES "tr_enrollment" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "practitioner" INTEGER REFERENCES "tp_practitioner" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "course" INTEGER REFERENCES "tr_course" ("id") ON DELETE RESTRICT ON UPDATE CASCADE DEFAULT null, "period_year" INTEGER NOT NULL DEFAULT 0, "claimed_on" DATE NOT NULL DEFAULT CURRENT_DATE, "recorded_by" VARCHAR(64) NOT NULL DEFAULT \'\', "recorded_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, CONSTRAINT tr_subsidy_claim_once UNIQUE ("practitioner", "course", "period_year"))',
    'CREATE INDEX tr_subsidy_claim_practitioner ON "tr_subsidy_claim" ("practitioner")',
    'CREATE INDEX tr_subsidy_claim_course ON "tr_subsidy_claim" ("course")',
]


async def forwards():
    manager = EngineSpecificMigration(
        postgres=POSTGRES,
        sqlite=SQLITE,
        creates="tr_notification",
        migration_id=ID,
        app_name="training",
        description=DESCRIPTION,
    )

    manager.add_table(
        class_name="AttendanceUpload",
        tablename="tr_attendance_upload",
        schema=None,
        columns=None,
    )

    manager.add_table(
        class_name="LessonProgress",
        tablename="tr_lesson_progress",
        schema=None,
        columns=None,
    )

    manager.add_table(
        class_name="TrainerCourse",
        tablename="tr_trainer_course",
        schema=None,
        columns=None,
    )

    manager.add_table(
        class_name="TrainerEvaluation",
        tablename="tr_trainer_evaluation",
        schema=None,
        columns=None,
    )

    manager.add_table(
        class_name="SessionTrainer",
        tablename="tr_session_trainer",
        schema=None,
        columns=None,
    )

    manager.add_table(
        class_name="Notification",
        tablename="tr_notification",
        schema=None,
        columns=None,
    )

    manager.add_table(
        class_name="SubsidyClaim",
        tablename="tr_subsidy_claim",
        schema=None,
        columns=None,
    )

    manager.add_column(
        table_class_name="AttendanceUpload",
        tablename="tr_attendance_upload",
        column_name="training_base",
        db_column_name="training_base",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": TrainingBase,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AttendanceUpload",
        tablename="tr_attendance_upload",
        column_name="client_row_id",
        db_column_name="client_row_id",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AttendanceUpload",
        tablename="tr_attendance_upload",
        column_name="digest",
        db_column_name="digest",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AttendanceUpload",
        tablename="tr_attendance_upload",
        column_name="attendance",
        db_column_name="attendance",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Attendance,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AttendanceUpload",
        tablename="tr_attendance_upload",
        column_name="uploaded_by",
        db_column_name="uploaded_by",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="AttendanceUpload",
        tablename="tr_attendance_upload",
        column_name="uploaded_at",
        db_column_name="uploaded_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LessonProgress",
        tablename="tr_lesson_progress",
        column_name="enrollment",
        db_column_name="enrollment",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Enrollment,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LessonProgress",
        tablename="tr_lesson_progress",
        column_name="lesson",
        db_column_name="lesson",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Lesson,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LessonProgress",
        tablename="tr_lesson_progress",
        column_name="covered_seconds",
        db_column_name="covered_seconds",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LessonProgress",
        tablename="tr_lesson_progress",
        column_name="watched_seconds",
        db_column_name="watched_seconds",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LessonProgress",
        tablename="tr_lesson_progress",
        column_name="last_position",
        db_column_name="last_position",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="LessonProgress",
        tablename="tr_lesson_progress",
        column_name="last_beat_at",
        db_column_name="last_beat_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TrainerCourse",
        tablename="tr_trainer_course",
        column_name="trainer",
        db_column_name="trainer",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Trainer,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TrainerCourse",
        tablename="tr_trainer_course",
        column_name="course",
        db_column_name="course",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Course,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TrainerCourse",
        tablename="tr_trainer_course",
        column_name="approved_by",
        db_column_name="approved_by",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TrainerCourse",
        tablename="tr_trainer_course",
        column_name="approved_at",
        db_column_name="approved_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TrainerEvaluation",
        tablename="tr_trainer_evaluation",
        column_name="trainer",
        db_column_name="trainer",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Trainer,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TrainerEvaluation",
        tablename="tr_trainer_evaluation",
        column_name="enrollment",
        db_column_name="enrollment",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Enrollment,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TrainerEvaluation",
        tablename="tr_trainer_evaluation",
        column_name="score",
        db_column_name="score",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TrainerEvaluation",
        tablename="tr_trainer_evaluation",
        column_name="comment",
        db_column_name="comment",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="TrainerEvaluation",
        tablename="tr_trainer_evaluation",
        column_name="created_at",
        db_column_name="created_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SessionTrainer",
        tablename="tr_session_trainer",
        column_name="session",
        db_column_name="session",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Session,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SessionTrainer",
        tablename="tr_session_trainer",
        column_name="trainer",
        db_column_name="trainer",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Trainer,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SessionTrainer",
        tablename="tr_session_trainer",
        column_name="assigned_by",
        db_column_name="assigned_by",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SessionTrainer",
        tablename="tr_session_trainer",
        column_name="assigned_at",
        db_column_name="assigned_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Notification",
        tablename="tr_notification",
        column_name="practitioner",
        db_column_name="practitioner",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Practitioner,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Notification",
        tablename="tr_notification",
        column_name="kind",
        db_column_name="kind",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 24,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Notification",
        tablename="tr_notification",
        column_name="subject",
        db_column_name="subject",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 96,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Notification",
        tablename="tr_notification",
        column_name="title",
        db_column_name="title",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 128,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Notification",
        tablename="tr_notification",
        column_name="text",
        db_column_name="text",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Notification",
        tablename="tr_notification",
        column_name="phone",
        db_column_name="phone",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Notification",
        tablename="tr_notification",
        column_name="created_at",
        db_column_name="created_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Notification",
        tablename="tr_notification",
        column_name="sent_at",
        db_column_name="sent_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="Notification",
        tablename="tr_notification",
        column_name="last_error",
        db_column_name="last_error",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SubsidyClaim",
        tablename="tr_subsidy_claim",
        column_name="enrollment",
        db_column_name="enrollment",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Enrollment,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": True,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SubsidyClaim",
        tablename="tr_subsidy_claim",
        column_name="practitioner",
        db_column_name="practitioner",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Practitioner,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SubsidyClaim",
        tablename="tr_subsidy_claim",
        column_name="course",
        db_column_name="course",
        column_class_name="ForeignKey",
        column_class=ForeignKey,
        params={
            "references": Course,
            "on_delete": OnDelete.restrict,
            "on_update": OnUpdate.cascade,
            "target_column": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SubsidyClaim",
        tablename="tr_subsidy_claim",
        column_name="period_year",
        db_column_name="period_year",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SubsidyClaim",
        tablename="tr_subsidy_claim",
        column_name="claimed_on",
        db_column_name="claimed_on",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": DateNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SubsidyClaim",
        tablename="tr_subsidy_claim",
        column_name="recorded_by",
        db_column_name="recorded_by",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 64,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="SubsidyClaim",
        tablename="tr_subsidy_claim",
        column_name="recorded_at",
        db_column_name="recorded_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="AttendanceUpload",
        tablename="tr_attendance_upload",
        constraint_name="tr_attendance_upload_once",
        constraint_class=Unique,
        params={
            "columns": ["training_base", "client_row_id"],
            "nulls_distinct": True,
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="LessonProgress",
        tablename="tr_lesson_progress",
        constraint_name="tr_lesson_progress_once",
        constraint_class=Unique,
        params={"columns": ["enrollment", "lesson"], "nulls_distinct": True},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="LessonProgress",
        tablename="tr_lesson_progress",
        constraint_name="tr_lesson_progress_seconds",
        constraint_class=Check,
        params={
            "condition": "covered_seconds >= 0 AND watched_seconds >= 0 AND last_position >= 0"
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="TrainerCourse",
        tablename="tr_trainer_course",
        constraint_name="tr_trainer_course_once",
        constraint_class=Unique,
        params={"columns": ["trainer", "course"], "nulls_distinct": True},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="TrainerEvaluation",
        tablename="tr_trainer_evaluation",
        constraint_name="tr_trainer_evaluation_once",
        constraint_class=Unique,
        params={"columns": ["trainer", "enrollment"], "nulls_distinct": True},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="TrainerEvaluation",
        tablename="tr_trainer_evaluation",
        constraint_name="tr_trainer_evaluation_score",
        constraint_class=Check,
        params={"condition": "score >= 1 AND score <= 5"},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="SessionTrainer",
        tablename="tr_session_trainer",
        constraint_name="tr_session_trainer_once",
        constraint_class=Unique,
        params={"columns": ["session", "trainer"], "nulls_distinct": True},
        schema=None,
    )

    manager.add_constraint(
        table_class_name="Notification",
        tablename="tr_notification",
        constraint_name="tr_notification_once",
        constraint_class=Unique,
        params={
            "columns": ["practitioner", "kind", "subject"],
            "nulls_distinct": True,
        },
        schema=None,
    )

    manager.add_constraint(
        table_class_name="SubsidyClaim",
        tablename="tr_subsidy_claim",
        constraint_name="tr_subsidy_claim_once",
        constraint_class=Unique,
        params={
            "columns": ["practitioner", "course", "period_year"],
            "nulls_distinct": True,
        },
        schema=None,
    )

    return manager

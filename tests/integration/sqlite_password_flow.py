"""The flow :mod:`tests.integration.test_passwords_sqlite` runs in a subprocess on a fresh embedded
SQLite file (``TUOYU_DATA_DIR``): four password changes at once over HTTP with one token and one
current password; prints one ``RESULT <json>`` line."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import Any

PASSWORD = "a-password-1"


async def main() -> None:
    from talent_pool.db import default_database_url, engine_for_url, use_engine

    data_dir = os.environ["TUOYU_DATA_DIR"]
    url = default_database_url(data_dir)
    engine = engine_for_url(url)
    use_engine(engine)
    from service.accounts import AccountIn, create_account
    from service.app import create_app
    from service.bootstrap import prepare
    from tests.servers import serve_in_process, settings_for

    await prepare(engine)
    await create_account(AccountIn(username="race", password=PASSWORD, role="agency"))
    app = create_app(settings_for(Path(data_dir), database_url=url), engine=engine)
    news = [f"race-winner-{n}-pass" for n in range(4)]
    out: dict[str, Any] = {}
    async with serve_in_process(app) as client:
        r = await client.post("/api/auth/login", json={"username": "race", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {r.json()['token']}"}
        client.cookies.clear()
        answers = await asyncio.gather(
            *(
                client.post(
                    "/api/auth/password",
                    json={"old_password": PASSWORD, "new_password": new},
                    headers=headers,
                )
                for new in news
            )
        )
        out["codes"] = [a.status_code for a in answers]
        out["refusals"] = [a.json()["field"] for a in answers if a.status_code != 204]
        logins = []
        for new in [*news, PASSWORD]:
            client.cookies.clear()
            r = await client.post("/api/auth/login", json={"username": "race", "password": new})
            logins.append(r.status_code)
        out["logins"] = logins
    print("RESULT " + json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main())

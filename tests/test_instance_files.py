"""Two app instances started from one folder keep their uploads apart."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def test_each_instance_has_its_own_upload_folder_and_stopping_one_keeps_the_other(tmp_path: Path):
    probe = textwrap.dedent("""
        import chainlit.config, chainlit.server
        from agent.web.instance_files import own_files_directory
        mine = own_files_directory()
        (mine / "upload.txt").write_text("x")
        print(mine, chainlit.config.FILES_DIRECTORY == mine == chainlit.server.FILES_DIRECTORY)
    """)
    env = {"CHAINLIT_APP_ROOT": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    runs = [subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).resolve().parents[1], env=env,
                           capture_output=True, text=True, timeout=120) for _ in range(2)]
    assert all(r.returncode == 0 for r in runs), [r.stderr[-2000:] for r in runs]
    folders = [Path(r.stdout.split()[0]) for r in runs]
    assert all(r.stdout.split()[1] == "True" for r in runs)
    assert folders[0] != folders[1]
    assert all(f.parent == tmp_path / ".files" for f in folders)

    import shutil
    shutil.rmtree(folders[0])  # what Chainlit does to its files folder when that server stops
    assert (folders[1] / "upload.txt").read_text() == "x"


def test_the_footer_says_what_clipwise_is_in_every_language():
    from chainlit.config import config
    from chainlit.server import app
    from starlette.testclient import TestClient

    from agent.web.footer import FOOTER, own_footer

    own_footer(config)
    client = TestClient(app)  # no lifespan: Chainlit's ends the process when it stops
    for language in ("en-US", "fr-FR", "ja"):
        got = client.get("/project/translations", params={"language": language})
        assert got.status_code == 200
        assert got.json()["translation"]["chat"]["watermark"] == FOOTER

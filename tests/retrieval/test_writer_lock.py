import subprocess
import sys
from pathlib import Path

import pytest

from retrieval.errors import VectorIndexError
from retrieval.writer_lock import exclusive_writer

pytestmark = pytest.mark.unit

HOLD = """
import sys, time
from pathlib import Path
from retrieval.writer_lock import exclusive_writer
with exclusive_writer(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(30)
"""


def test_second_writer_is_refused_until_the_first_exits(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(VectorIndexError, match="one writer"), exclusive_writer(tmp_path):
            pass
    finally:
        holder.kill()
        holder.wait()
    with exclusive_writer(tmp_path):  # the kernel released the dead writer's lock
        pass

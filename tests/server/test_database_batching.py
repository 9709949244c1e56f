"""SQLite group commit (issue 10): what one reactor turn queues is one transaction, work queued by
a callback runs in exactly one more batch, and close() waits for it — in-memory (batches on the
reactor thread) and file-backed (batches on the worker thread) alike."""
import pytest
import pytest_twisted
from twisted.internet import defer, reactor

from pubnub_fast.server.database import Database, DatabaseClosed


@pytest.fixture(params=["memory", "file"])
def path(request, tmp_path):
    return ":memory:" if request.param == "memory" else str(tmp_path / "batching.sqlite3")


def _counting(database):
    batches = []
    real = database._run_batch_in_thread

    def run_batch(batch):
        batches.append(len(batch))
        return real(batch)

    database._run_batch_in_thread = run_batch
    return batches


def _insert(value):
    def operation(connection):
        connection.execute("INSERT INTO t VALUES (?)", (value,))
        return value

    return operation


@pytest_twisted.ensureDeferred
async def test_one_turn_is_one_transaction_and_close_waits_for_late_work(path):
    database = Database(reactor, path)
    await database.open()
    await database.run(lambda connection: connection.execute("CREATE TABLE t (v INTEGER)"))
    batches = _counting(database)
    results = await defer.gatherResults([database.run(_insert(value)) for value in range(10)])
    assert results == list(range(10)) and batches == [10]

    late = []

    def queue_more(_):  # a callback queuing more work while its batch completes
        late.append(database.run(_insert(99)))

    first = database.run(_insert(10))
    first.addCallback(queue_more)
    await first
    closed = database.close()  # must wait for the late batch, and not race it
    with pytest.raises(DatabaseClosed):
        database.run(_insert(100))
    assert await late[0] == 99
    await closed
    assert batches == [10, 1, 1]


@pytest_twisted.ensureDeferred
async def test_a_failing_operation_fails_alone(path):
    database = Database(reactor, path)
    await database.open()
    await database.run(lambda connection: connection.execute("CREATE TABLE t (v INTEGER UNIQUE)"))
    outcomes = await defer.DeferredList(
        [database.run(_insert(1)), database.run(_insert(1)), database.run(_insert(2))], consumeErrors=True)
    assert [ok for ok, _ in outcomes] == [True, False, True]
    rows = await database.run(lambda connection: connection.execute("SELECT v FROM t ORDER BY v").fetchall())
    assert rows == [(1,), (2,)]
    await database.close()

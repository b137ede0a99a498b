"""One turn at a time per conversation, in arrival order (channels/turn_queue.py)."""

from __future__ import annotations

import asyncio

import pytest

from channels.turn_queue import QueueFull, TurnQueue


def test_turns_of_one_sender_run_one_at_a_time_in_arrival_order() -> None:
    async def scenario() -> tuple[list[tuple[str, int]], int]:
        queue, log, busy = TurnQueue(), [], {"now": 0, "most": 0}

        async def message(number: int) -> None:
            async with queue.turn("visitor"):
                busy["now"] += 1
                busy["most"] = max(busy["most"], busy["now"])
                log.append(("start", number))
                await asyncio.sleep(0.001)
                log.append(("end", number))
                busy["now"] -= 1

        await asyncio.gather(*(message(n) for n in range(20)))
        return log, busy["most"]

    log, most = asyncio.run(scenario())
    assert most == 1
    assert [n for kind, n in log if kind == "start"] == list(range(20))


def test_other_senders_do_not_wait_and_nothing_is_left_behind() -> None:
    async def scenario() -> tuple[list[str], int]:
        queue, order = TurnQueue(), []
        release = asyncio.Event()

        async def slow() -> None:
            async with queue.turn("a"):
                await release.wait()
                order.append("a")

        async def quick() -> None:
            async with queue.turn("b"):
                order.append("b")
            release.set()

        await asyncio.gather(slow(), quick())
        return order, queue.waiting("a") + queue.waiting("b")

    order, left = asyncio.run(scenario())
    assert order == ["b", "a"] and left == 0


def test_a_sender_with_too_many_waiting_is_refused_and_others_still_served() -> None:
    async def scenario() -> tuple[int, int]:
        queue = TurnQueue(max_waiting=3)
        release = asyncio.Event()
        refused = served = 0

        async def message() -> None:
            nonlocal refused, served
            try:
                async with queue.turn("flood"):
                    await release.wait()
                    served += 1
            except QueueFull:
                refused += 1

        tasks = [asyncio.create_task(message()) for _ in range(10)]
        await asyncio.sleep(0.01)
        release.set()
        await asyncio.gather(*tasks)
        return refused, served

    refused, served = asyncio.run(scenario())
    assert served == 4 and refused == 6  # one holding + three waiting


@pytest.mark.parametrize("failure", [RuntimeError, asyncio.CancelledError])
def test_a_failing_turn_frees_the_next(failure: type[BaseException]) -> None:
    async def scenario() -> bool:
        queue = TurnQueue()
        with pytest.raises(failure):
            async with queue.turn("x"):
                raise failure()
        async with queue.turn("x"):
            return queue.waiting("x") == 1

    assert asyncio.run(scenario())

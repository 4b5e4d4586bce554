// group_commit_tests.cpp - GroupCommit: every caller returns after its item's batch ran,
// batches never overlap, and callers arriving during a batch form the next one, which one
// of them leads once the running batch has woken its own callers.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include "server/store/group_commit.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

using mail::GroupCommit;


namespace {


struct Item
{
	bool committed = false; ///< set by the commit function, under no lock of the test
};


bool waitFor(const std::function<bool()>& condition)
/// Polls the condition for up to 30 s.
{
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
	while (!condition())
	{
		if (std::chrono::steady_clock::now() > deadline) return false;
		std::this_thread::yield();
	}
	return true;
}


} // namespace


BOOST_AUTO_TEST_SUITE(group_commit_tests)


BOOST_AUTO_TEST_CASE(every_caller_returns_after_its_item_was_in_a_finished_batch_and_batches_never_overlap)
{
	std::atomic<int> running{0};
	std::atomic<unsigned> overlaps{0}, batches{0}, items{0};
	GroupCommit<Item> group([&](std::vector<Item*>& batch) {
		if (running.fetch_add(1) != 0) ++overlaps;
		for (Item* item: batch) item->committed = true;
		items += static_cast<unsigned>(batch.size());
		++batches;
		std::this_thread::yield();
		running.fetch_sub(1);
	});
	constexpr unsigned kThreads = 8, kCommits = 300;
	std::atomic<unsigned> notCommitted{0};
	std::vector<std::thread> threads;
	for (unsigned t = 0; t < kThreads; ++t)
	{
		threads.emplace_back([&] {
			for (unsigned i = 0; i < kCommits; ++i)
			{
				Item item;
				group.commit(item);
				if (!item.committed) ++notCommitted;
			}
		});
	}
	for (auto& thread: threads) thread.join();
	BOOST_TEST(notCommitted.load() == 0u);
	BOOST_TEST(overlaps.load() == 0u);
	BOOST_TEST(items.load() == kThreads * kCommits);
	BOOST_TEST(batches.load() <= kThreads * kCommits);
}


BOOST_AUTO_TEST_CASE(callers_arriving_during_a_batch_form_the_next_one_and_one_of_them_leads_it)
{
	std::mutex mutex;
	std::condition_variable released;
	bool release = false;
	std::vector<std::size_t> sizes;
	std::atomic<bool> firstRunning{false};
	GroupCommit<Item> group([&](std::vector<Item*>& batch) {
		std::unique_lock<std::mutex> lock(mutex);
		sizes.push_back(batch.size());
		if (sizes.size() == 1)
		{
			firstRunning = true;
			released.wait(lock, [&] { return release; }); // the first batch holds until told
		}
		for (Item* item: batch) item->committed = true;
	});
	Item first, second, third;
	auto leader = std::async(std::launch::async, [&] { group.commit(first); });
	BOOST_REQUIRE(waitFor([&] { return firstRunning.load(); }));
	auto a = std::async(std::launch::async, [&] { group.commit(second); });
	auto b = std::async(std::launch::async, [&] { group.commit(third); });
	BOOST_REQUIRE(waitFor([&] { return group.waiting() == 2u; }));
	{
		std::lock_guard<std::mutex> lock(mutex);
		release = true;
	}
	released.notify_all();
	// The first batch's end wakes its caller and one of the next: that one runs the second
	// batch for both (a caller left asleep would not return: the deadline fails the test).
	BOOST_REQUIRE((leader.wait_for(std::chrono::seconds(30)) == std::future_status::ready));
	BOOST_REQUIRE((a.wait_for(std::chrono::seconds(30)) == std::future_status::ready));
	BOOST_REQUIRE((b.wait_for(std::chrono::seconds(30)) == std::future_status::ready));
	BOOST_TEST(first.committed);
	BOOST_TEST(second.committed);
	BOOST_TEST(third.committed);
	std::lock_guard<std::mutex> lock(mutex);
	BOOST_TEST(sizes.size() == 2u);
	BOOST_TEST(sizes.back() == 2u);
}


BOOST_AUTO_TEST_SUITE_END()

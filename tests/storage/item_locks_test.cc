// All-or-nothing item locks of in-flight transactions.
#include "storage/item_locks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

namespace dynamo::storage {
namespace {

std::string K(const std::string& pk, int64_t table = 1) {
  return ItemLockKey(table, EncodedKey{pk, ""});
}

TEST(ItemLocksTest, KeysAreDistinctAcrossTablesAndKeyParts) {
  EXPECT_NE(K("a", 1), K("a", 2));
  EXPECT_NE(ItemLockKey(1, EncodedKey{"ab", "c"}), ItemLockKey(1, EncodedKey{"a", "bc"}));
  EXPECT_EQ(ItemLockKey(1, EncodedKey{"a", "b"}), ItemLockKey(1, EncodedKey{"a", "b"}));
}

TEST(ItemLocksTest, LocksAllOrNone) {
  ItemLocks locks;
  const uint64_t t1 = locks.NewOwner(), t2 = locks.NewOwner();
  EXPECT_NE(t1, 0u);
  EXPECT_NE(t1, t2);
  EXPECT_FALSE(locks.AnyHeld());
  EXPECT_TRUE(locks.TryLockAll({K("a"), K("b")}, t1).empty());
  EXPECT_TRUE(locks.AnyHeld());
  // t2 wants b, c, a: conflicts at indexes 0 and 2, and takes nothing.
  EXPECT_EQ(locks.TryLockAll({K("b"), K("c"), K("a")}, t2), (std::vector<size_t>{0, 2}));
  EXPECT_FALSE(locks.IsLocked(K("c")));
  // An owner may take again what it holds.
  EXPECT_TRUE(locks.TryLockAll({K("a"), K("d")}, t1).empty());
  EXPECT_TRUE(locks.IsLockedByOther(K("a"), t2));
  EXPECT_FALSE(locks.IsLockedByOther(K("a"), t1));
  EXPECT_TRUE(locks.IsLockedByOther(K("a"), 0));
  // Only the owner's unlock releases.
  locks.UnlockAll({K("a")}, t2);
  EXPECT_TRUE(locks.IsLocked(K("a")));
  locks.UnlockAll({K("a"), K("b"), K("d")}, t1);
  EXPECT_FALSE(locks.IsLocked(K("a")));
  EXPECT_FALSE(locks.AnyHeld());
}

TEST(ItemLocksTest, LockKeysParseBackToTableAndKey) {
  struct Case {
    std::string lock_key;
    std::optional<std::pair<int64_t, EncodedKey>> expected;
  };
  const Case cases[] = {
      {ItemLockKey(7, EncodedKey{"ab", "cd"}), std::pair{int64_t{7}, EncodedKey{"ab", "cd"}}},
      {ItemLockKey(12, EncodedKey{std::string("a\0:b", 4), ""}),
       std::pair{int64_t{12}, EncodedKey{std::string("a\0:b", 4), ""}}},
      {ItemLockKey(1, EncodedKey{"", "r"}), std::pair{int64_t{1}, EncodedKey{"", "r"}}},
      {"", std::nullopt},
      {"7", std::nullopt},
      {std::string("7\0", 2), std::nullopt},
      {std::string("7\0"
                   "9:ab",
                   6),
       std::nullopt},  // the hash is shorter than its length
      {std::string("x\0"
                   "1:a",
                   5),
       std::nullopt},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseItemLockKey(c.lock_key), c.expected) << c.lock_key;
  }
}

TEST(ItemLocksTest, HoldersListOwnersWithTheirKeysUntilTheyLetGo) {
  ItemLocks locks;
  const uint64_t t1 = locks.NewOwner(), t2 = locks.NewOwner();
  EXPECT_TRUE(locks.Holders().empty());
  ASSERT_TRUE(locks.TryLockAll({K("a"), K("b")}, t1, "TransactWriteItems").empty());
  ASSERT_TRUE(locks.TryLockAll({K("c")}, t2, "ExecuteTransaction").empty());
  // Taking a held key again counts it once: one unlock releases it.
  ASSERT_TRUE(locks.TryLockAll({K("a")}, t1, "ignored").empty());
  auto holders = locks.Holders();
  ASSERT_EQ(holders.size(), 2u);
  std::sort(holders.begin(), holders.end(),
            [](const auto& x, const auto& y) { return x.owner < y.owner; });
  EXPECT_EQ(holders[0].owner, t1);
  EXPECT_EQ(holders[0].label, "TransactWriteItems");
  std::sort(holders[0].keys.begin(), holders[0].keys.end());
  EXPECT_EQ(holders[0].keys, (std::vector<std::string>{K("a"), K("b")}));
  EXPECT_EQ(holders[1].label, "ExecuteTransaction");
  EXPECT_LE(holders[0].since, std::chrono::steady_clock::now());

  locks.UnlockAll({K("a")}, t1);  // part of its keys: still a holder
  holders = locks.Holders();
  ASSERT_EQ(holders.size(), 2u);
  locks.UnlockAll({K("b")}, t1);
  locks.UnlockAll({K("c")}, t1);  // not t1's: nothing changes
  holders = locks.Holders();
  ASSERT_EQ(holders.size(), 1u);
  EXPECT_EQ(holders[0].owner, t2);
  EXPECT_EQ(holders[0].label, "ExecuteTransaction");
  locks.UnlockAll({K("c")}, t2);
  EXPECT_TRUE(locks.Holders().empty());
}

TEST(ItemLocksTest, GuardReleasesOnEveryExit) {
  ItemLocks locks;
  const uint64_t owner = locks.NewOwner();
  {
    ASSERT_TRUE(locks.TryLockAll({K("a")}, owner).empty());
    ItemLockGuard guard(&locks, {K("a")}, owner);
    EXPECT_EQ(guard.owner(), owner);
    EXPECT_TRUE(locks.IsLocked(K("a")));
  }
  EXPECT_FALSE(locks.IsLocked(K("a")));
}

TEST(ItemLocksTest, RacingOwnersNeverBothHoldAnItem) {
  ItemLocks locks;
  std::atomic<int> holders{0}, max_holders{0}, wins{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        const uint64_t owner = locks.NewOwner();
        std::vector<std::string> keys{K("x"), K("y" + std::to_string(i % 3))};
        if (!locks.TryLockAll(keys, owner).empty()) continue;
        ++wins;
        int now = ++holders;
        int prev = max_holders.load();
        while (now > prev && !max_holders.compare_exchange_weak(prev, now)) {
        }
        --holders;
        locks.UnlockAll(keys, owner);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(max_holders.load(), 1);
  EXPECT_GT(wins.load(), 0);
  EXPECT_FALSE(locks.AnyHeld());
}

}  // namespace
}  // namespace dynamo::storage

// All-or-nothing item locks of in-flight transactions.
#include "storage/item_locks.h"

#include <gtest/gtest.h>

#include <atomic>
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

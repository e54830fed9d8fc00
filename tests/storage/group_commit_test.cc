// Group commit in the one write path (write_path.h, step 5): writes that
// defer their commit share the writer's open transaction; nothing is visible
// to readers, nor acknowledged, before the group commits; decisions see the
// group's earlier writes; a failure fails the whole group.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/error_details.h"
#include "core/messages.h"
#include "storage/database.h"
#include "storage/write_path.h"

namespace dynamo::storage {
namespace {

using core::AttributeValue;
using core::Item;
using core::Result;

AttributeValue S(const std::string& s) { return AttributeValue::S(s); }
AttributeValue N(int64_t n) { return AttributeValue::N(core::Number::FromInt64(n)); }

TableDef HashTable(const std::string& name) {
  TableDef t;
  t.name = name;
  t.key.hash = {"pk", core::ValueType::kS};
  t.attribute_definitions = {{"pk", core::ValueType::kS}};
  return t;
}

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("dynamo-group-commit-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    DatabaseOptions o;
    o.path = (dir_ / "db").string();
    db_ = std::move(Database::Open(o)).value();
    table_ = *db_->CreateTable(HashTable("t"));
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  EncodedKey Key(const std::string& pk) const { return EncodeKey(S(pk), nullptr); }

  Mutation Decide(const std::string& pk, DecisionFn fn) {
    Mutation m;
    m.table = table_;
    m.key = Key(pk);
    m.decide = std::move(fn);
    return m;
  }
  Mutation PutOf(const std::string& pk, int64_t v) {
    return Decide(pk, [pk, v](const Item*) -> Result<Decision> {
      return Decision::Put(Item{{"pk", S(pk)}, {"v", N(v)}});
    });
  }
  // Sets v to expected + 1 when the stored v is `expected` (a version check).
  Mutation Bump(const std::string& pk, int64_t expected) {
    return Decide(pk, [pk, expected](const Item* stored) -> Result<Decision> {
      if (!stored || !stored->at("v").Equals(N(expected))) return core::ConditionalCheckFailed();
      return Decision::Put(Item{{"pk", S(pk)}, {"v", N(expected + 1)}});
    });
  }

  // Applies one mutation with its commit deferred; returns the group to wait for.
  uint64_t Deferred(Mutation m, bool* committed = nullptr) {
    std::vector<Mutation> batch;
    batch.push_back(std::move(m));
    uint64_t group = 0;
    ApplyOptions options;
    options.deferred_commit = &group;
    auto r = db_->Apply(std::move(batch), options);
    EXPECT_TRUE(r.ok());
    if (committed) *committed = r.ok() && r->committed;
    return group;
  }

  // As a reader sees it (a pooled connection: committed data only).
  std::optional<Item> Read(const std::string& pk) { return *db_->GetItem(table_->id, Key(pk)); }

  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
  std::shared_ptr<const TableDef> table_;
};

TEST_F(GroupCommitTest, DeferredWritesShareAGroupThatReadersSeeOnlyOnceCommitted) {
  const uint64_t g = Deferred(PutOf("a", 1));
  ASSERT_NE(g, 0u);
  EXPECT_EQ(Deferred(PutOf("b", 2)), g);
  EXPECT_EQ(Deferred(PutOf("c", 3)), g);
  EXPECT_FALSE(Read("a"));
  EXPECT_FALSE(Read("c"));
  ASSERT_TRUE(db_->AwaitCommit(g).ok());
  ASSERT_TRUE(Read("a"));
  EXPECT_TRUE(Read("c")->at("v").Equals(N(3)));
  // The other members find it committed.
  EXPECT_TRUE(db_->AwaitCommit(g).ok());
  // The next write opens the next group.
  EXPECT_GT(Deferred(PutOf("d", 4)), g);
}

TEST_F(GroupCommitTest, DecisionsSeeTheEarlierWritesOfTheirGroup) {
  const uint64_t g = Deferred(PutOf("a", 1));
  bool committed = false;
  EXPECT_EQ(Deferred(Bump("a", 1), &committed), g);
  EXPECT_TRUE(committed);
  // A stale version is refused; the refusal saw the group, so it waits for it too.
  EXPECT_EQ(Deferred(Bump("a", 1), &committed), g);
  EXPECT_FALSE(committed);
  ASSERT_TRUE(db_->AwaitCommit(g).ok());
  EXPECT_TRUE(Read("a")->at("v").Equals(N(2)));
}

TEST_F(GroupCommitTest, AWriteThatCommitsAtOnceCommitsTheOpenGroupWithIt) {
  const uint64_t g = Deferred(PutOf("a", 1));
  std::vector<Mutation> batch;
  batch.push_back(PutOf("b", 2));
  ASSERT_TRUE(db_->Apply(std::move(batch))->committed);
  EXPECT_TRUE(Read("a"));
  EXPECT_TRUE(Read("b"));
  EXPECT_TRUE(db_->AwaitCommit(g).ok());
}

TEST_F(GroupCommitTest, TableChangesCommitTheOpenGroupFirst) {
  const uint64_t g = Deferred(PutOf("a", 1));
  ASSERT_TRUE(db_->CreateTable(HashTable("other")).ok());
  EXPECT_TRUE(Read("a"));
  EXPECT_TRUE(db_->AwaitCommit(g).ok());
}

TEST_F(GroupCommitTest, AStorageFailureRollsBackTheGroupAndEveryMemberAnswersWithIt) {
  const uint64_t g = Deferred(PutOf("a", 1));
  db_->SetChangeHook([](const Change& c) -> core::Status {
    if (c.new_image && c.new_image->at("v").Equals(N(99))) {
      return core::Error{core::ErrorCode::kInternalServerError, "disk on fire"};
    }
    return core::Status::Ok();
  });
  std::vector<Mutation> batch;
  batch.push_back(PutOf("b", 99));
  uint64_t group = 0;
  ApplyOptions options;
  options.deferred_commit = &group;
  auto failed = db_->Apply(std::move(batch), options);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message, "disk on fire");
  db_->SetChangeHook(nullptr);

  core::Status outcome = db_->AwaitCommit(g);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().message, "disk on fire");
  EXPECT_FALSE(Read("a"));
  EXPECT_FALSE(Read("b"));
  // The writer is usable: the next group commits.
  const uint64_t next = Deferred(PutOf("c", 3));
  EXPECT_GT(next, g);
  EXPECT_TRUE(db_->AwaitCommit(next).ok());
  EXPECT_TRUE(Read("c"));
}

TEST_F(GroupCommitTest, AnInMemoryStoreCommitsAtOnce) {
  DatabaseOptions o;
  o.in_memory = true;
  db_ = std::move(Database::Open(o)).value();
  table_ = *db_->CreateTable(HashTable("t"));
  EXPECT_EQ(Deferred(PutOf("a", 1)), 0u);
  EXPECT_TRUE(Read("a"));
}

// Optimistic locking under group commit: every thread bumps one counter by
// version check, retrying on ConditionalCheckFailed, and counts a bump only
// once its group committed. No bump is lost and none is counted twice.
TEST_F(GroupCommitTest, VersionCheckedIncrementsFromManyThreadsLoseNothing) {
  ASSERT_TRUE(db_->AwaitCommit(Deferred(PutOf("counter", 0))).ok());
  constexpr int kThreads = 8;
  constexpr int kBumps = 150;
  std::atomic<int> acknowledged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int done = 0; done < kBumps;) {
        const int64_t seen = std::stoll(Read("counter")->at("v").n().ToString());
        bool committed = false;
        const uint64_t g = Deferred(Bump("counter", seen), &committed);
        const bool durable = db_->AwaitCommit(g).ok();
        if (committed && durable) {
          ++done;
          ++acknowledged;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(acknowledged.load(), kThreads * kBumps);
  EXPECT_TRUE(Read("counter")->at("v").Equals(N(kThreads * kBumps)));
}

// The WAL hook that takes checkpoints off the write path must still have
// them run: after enough commits the database file receives the pages
// (without another write to trigger it), and the WAL stops growing.
TEST_F(GroupCommitTest, CheckpointsStillRunAfterManyCommits) {
  const auto db_file = dir_ / "db";
  const auto initial = std::filesystem::file_size(db_file);
  const std::string payload(3000, 'x');
  for (int i = 0; i < 1500; ++i) {
    const std::string pk = "k" + std::to_string(i);
    std::vector<Mutation> batch;
    batch.push_back(Decide(pk, [pk, payload](const Item*) -> Result<Decision> {
      return Decision::Put(Item{{"pk", S(pk)}, {"p", S(payload)}});
    }));
    ASSERT_TRUE(db_->Apply(std::move(batch))->committed);
  }
  bool checkpointed = false;
  for (int waited = 0; waited < 100 && !checkpointed; ++waited) {
    checkpointed = std::filesystem::file_size(db_file) > initial + 1000 * 3000;
    if (!checkpointed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(checkpointed) << std::filesystem::file_size(db_file);
}

// A request that writes twice (BatchExecuteStatement) and whose first group
// was rolled back fails, though its later write would join a good group.
TEST_F(GroupCommitTest, ARequestWhoseEarlierGroupFailedFails) {
  uint64_t request_group = 0;
  ApplyOptions request;
  request.deferred_commit = &request_group;
  std::vector<Mutation> first;
  first.push_back(PutOf("a", 1));
  ASSERT_TRUE(db_->Apply(std::move(first), request)->committed);
  // Another request's storage failure rolls the group back.
  db_->SetChangeHook([](const Change& c) -> core::Status {
    if (c.new_image && c.new_image->at("v").Equals(N(99))) {
      return core::Error{core::ErrorCode::kInternalServerError, "disk on fire"};
    }
    return core::Status::Ok();
  });
  std::vector<Mutation> other;
  other.push_back(PutOf("x", 99));
  ASSERT_FALSE(db_->Apply(std::move(other)).ok());
  db_->SetChangeHook(nullptr);
  std::vector<Mutation> second;
  second.push_back(PutOf("b", 2));
  auto r = db_->Apply(std::move(second), request);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "disk on fire");
  EXPECT_FALSE(Read("a"));
  EXPECT_FALSE(Read("b"));
}

}  // namespace
}  // namespace dynamo::storage

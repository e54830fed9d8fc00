// ClientRequestToken records: outcomes, the 10-minute window, and memory that
// stays bounded by the window however many tokens pass.
#include "server/api/idempotency.h"

#include <gtest/gtest.h>

namespace dynamo::server {
namespace {

using Outcome = IdempotencyTokens::Outcome;

TEST(IdempotencyTest, OutcomesOfOneToken) {
  IdempotencyTokens t;
  EXPECT_EQ(t.Begin("a", "req", 0), Outcome::kNew);
  EXPECT_EQ(t.Begin("a", "req", 1), Outcome::kInProgress);
  EXPECT_EQ(t.Begin("a", "other", 1), Outcome::kMismatch);
  t.Finish("a", true, 2);
  EXPECT_EQ(t.Begin("a", "req", 3), Outcome::kReplay);
  EXPECT_EQ(t.Begin("a", "other", 3), Outcome::kMismatch);
  // A failed request is forgotten: the token is new again.
  EXPECT_EQ(t.Begin("b", "req", 0), Outcome::kNew);
  t.Finish("b", false, 1);
  EXPECT_EQ(t.Begin("b", "other", 2), Outcome::kNew);
}

TEST(IdempotencyTest, TheWindowIsTenMinutesAfterCompletionOnBothSides) {
  IdempotencyTokens t;
  ASSERT_EQ(t.Begin("a", "req", 100), Outcome::kNew);
  t.Finish("a", true, 200);
  EXPECT_EQ(t.Begin("a", "req", 200 + IdempotencyTokens::kWindowSeconds), Outcome::kReplay);
  EXPECT_EQ(t.Begin("a", "other", 200 + IdempotencyTokens::kWindowSeconds + 0.5), Outcome::kNew);
}

TEST(IdempotencyTest, ExpiryIsPerTokenEvenWhenTheClockGoesBack) {
  IdempotencyTokens t;
  ASSERT_EQ(t.Begin("late", "r", 1000), Outcome::kNew);
  t.Finish("late", true, 1000);
  ASSERT_EQ(t.Begin("early", "r", 10), Outcome::kNew);
  t.Finish("early", true, 10);  // completes "before" late, queued after it
  // At 700 "early" has expired, though "late" (queued first) has not.
  EXPECT_EQ(t.Begin("early", "other", 700), Outcome::kNew);
  EXPECT_EQ(t.Begin("late", "r", 700), Outcome::kReplay);
}

TEST(IdempotencyTest, MemoryIsBoundedByTheWindow) {
  IdempotencyTokens t;
  // One token a second for an hour: only the last ten minutes are kept.
  for (int s = 0; s < 3600; ++s) {
    const std::string token = "tok-" + std::to_string(s);
    ASSERT_EQ(t.Begin(token, "r", s), Outcome::kNew);
    t.Finish(token, true, s);
  }
  EXPECT_LE(t.size(), static_cast<size_t>(IdempotencyTokens::kWindowSeconds) + 2);
  EXPECT_GE(t.size(), static_cast<size_t>(IdempotencyTokens::kWindowSeconds));
  // A token reused after its window, then its old queue record expiring,
  // keeps the new record (the new request replays, it is not new again).
  ASSERT_EQ(t.Begin("tok-3599", "other", 3599 + 601), Outcome::kNew);
  t.Finish("tok-3599", true, 4200);
  ASSERT_EQ(t.Begin("x", "r", 4201), Outcome::kNew);
  EXPECT_EQ(t.Begin("tok-3599", "other", 4201), Outcome::kReplay);
}

}  // namespace
}  // namespace dynamo::server

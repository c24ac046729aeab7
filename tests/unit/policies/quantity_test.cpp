#include "policies/quantity.h"

#include <gtest/gtest.h>

namespace {

using policies::parse_quantity;

struct CanonicalCase {
  const char* input;
  const char* canonical;  // Quantity.String() after ParseQuantity
};

class QuantityCanonical : public testing::TestWithParam<CanonicalCase> {};

TEST_P(QuantityCanonical, MatchesApiserver) {
  auto q = parse_quantity(GetParam().input);
  ASSERT_TRUE(q.ok()) << q.error();
  EXPECT_EQ(policies::to_string(*q), GetParam().canonical);
  // Canonical text is a fixed point.
  auto again = parse_quantity(policies::to_string(*q));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(policies::to_string(*again), GetParam().canonical);
  EXPECT_EQ(policies::compare(*q, *again), 0);
}

// Expected values are those of k8s.io/apimachinery resource.Quantity.
INSTANTIATE_TEST_SUITE_P(
    Table, QuantityCanonical,
    testing::Values(
        CanonicalCase{"0", "0"}, CanonicalCase{"0m", "0"}, CanonicalCase{"-0", "0"},
        CanonicalCase{"100m", "100m"}, CanonicalCase{"1000m", "1"}, CanonicalCase{"1500m", "1500m"},
        CanonicalCase{"1.5", "1500m"}, CanonicalCase{"0.1", "100m"}, CanonicalCase{".5", "500m"},
        CanonicalCase{"1.", "1"}, CanonicalCase{"2", "2"}, CanonicalCase{"32", "32"},
        CanonicalCase{"1000", "1k"}, CanonicalCase{"1200", "1200"}, CanonicalCase{"12000", "12k"},
        CanonicalCase{"1k", "1k"}, CanonicalCase{"1000k", "1M"}, CanonicalCase{"1M", "1M"},
        CanonicalCase{"1G", "1G"}, CanonicalCase{"1T", "1T"}, CanonicalCase{"1P", "1P"},
        CanonicalCase{"1E", "1E"}, CanonicalCase{"1n", "1n"}, CanonicalCase{"1u", "1u"},
        CanonicalCase{"1000n", "1u"}, CanonicalCase{"0.5n", "1n"},
        CanonicalCase{"0.0000000001", "1n"}, CanonicalCase{"1.0000000001", "1000000001n"},
        CanonicalCase{"1Ki", "1Ki"}, CanonicalCase{"1024", "1024"}, CanonicalCase{"1024Ki", "1Mi"},
        CanonicalCase{"1536Mi", "1536Mi"}, CanonicalCase{"1.5Gi", "1536Mi"},
        CanonicalCase{"0.5Ki", "512"}, CanonicalCase{"1.1Ki", "1126400m"},
        CanonicalCase{"64Gi", "64Gi"}, CanonicalCase{"128Mi", "128Mi"}, CanonicalCase{"1Ei", "1Ei"},
        CanonicalCase{"8Ei", "9223372036854775807"}, CanonicalCase{"1e3", "1e3"},
        CanonicalCase{"1E3", "1e3"}, CanonicalCase{"1e+3", "1e3"}, CanonicalCase{"12e2", "1200"},
        CanonicalCase{"1e-3", "1e-3"}, CanonicalCase{"100e-3", "100e-3"},
        CanonicalCase{"1.5e3", "1500"}, CanonicalCase{"1e100", "10e99"}, CanonicalCase{"-1", "-1"},
        CanonicalCase{"-100m", "-100m"}, CanonicalCase{"-1.5Gi", "-1536Mi"},
        CanonicalCase{"+1", "1"}, CanonicalCase{"007", "7"}));

// Found by the fuzzer. Like the apiserver's Quantity.String(), a BinarySI value
// that is not a whole number of Ki prints as plain digits, which then re-parse
// as DecimalSI: the same value, a fixed point only from the second round.
TEST(Quantity, BinaryValueNotWholeKiPrintsAsDigits) {
  auto q = parse_quantity("156.25Ki");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(policies::to_string(*q), "160000");
  auto again = parse_quantity(policies::to_string(*q));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(policies::compare(*q, *again), 0);
  EXPECT_EQ(policies::to_string(*again), "160k");
}

class QuantityInvalid : public testing::TestWithParam<const char*> {};

TEST_P(QuantityInvalid, IsAnError) {
  auto q = parse_quantity(GetParam());
  EXPECT_FALSE(q.ok()) << GetParam() << " parsed as " << policies::to_string(*q);
}

INSTANTIATE_TEST_SUITE_P(Table, QuantityInvalid,
                         testing::Values("", "abc", "1x", "1 m", " 1", "1m ", "1KiB", "1ki", "1mi",
                                         "1e", "1e-", "1e1.5", "1.2.3", "--1", "1Mi1", "1%",
                                         "123456789012345678901", "1e99999999999"));

struct ScaleCase {
  const char* input;
  std::int64_t millis;
  std::int64_t units;
};

class QuantityScale : public testing::TestWithParam<ScaleCase> {};

TEST_P(QuantityScale, RoundsAwayFromZero) {
  auto q = parse_quantity(GetParam().input);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(*policies::to_millis(*q), GetParam().millis);
  EXPECT_EQ(*policies::to_units(*q), GetParam().units);
}

INSTANTIATE_TEST_SUITE_P(Table, QuantityScale,
                         testing::Values(ScaleCase{"100m", 100, 1}, ScaleCase{"2", 2000, 2},
                                         ScaleCase{"1.5", 1500, 2}, ScaleCase{"1n", 1, 1},
                                         ScaleCase{"0", 0, 0}, ScaleCase{"-1.5", -1500, -2},
                                         ScaleCase{"128Mi", 134217728000, 134217728},
                                         ScaleCase{"1Gi", 1073741824000, 1073741824},
                                         ScaleCase{"1e3", 1000000, 1000}));

TEST(Quantity, TooLargeForMillisIsAnError) {
  EXPECT_FALSE(policies::to_millis(*parse_quantity("1e100")).ok());
  EXPECT_FALSE(policies::to_units(*parse_quantity("1e19")).ok());
  EXPECT_TRUE(policies::to_units(*parse_quantity("9e18")).ok());
}

struct FormatCase {
  std::int64_t value;
  const char* text;
};

class FormatMillicores : public testing::TestWithParam<FormatCase> {};
TEST_P(FormatMillicores, Canonical) {
  EXPECT_EQ(policies::format_millicores(GetParam().value), GetParam().text);
}
INSTANTIATE_TEST_SUITE_P(Table, FormatMillicores,
                         testing::Values(FormatCase{0, "0"}, FormatCase{1, "1m"},
                                         FormatCase{50, "50m"}, FormatCase{1000, "1"},
                                         FormatCase{1500, "1500m"}, FormatCase{16000, "16"},
                                         FormatCase{1000000, "1k"}));

class FormatBytes : public testing::TestWithParam<FormatCase> {};
TEST_P(FormatBytes, Canonical) {
  EXPECT_EQ(policies::format_bytes(GetParam().value), GetParam().text);
}
INSTANTIATE_TEST_SUITE_P(Table, FormatBytes,
                         testing::Values(FormatCase{0, "0"}, FormatCase{1000, "1k"},
                                         FormatCase{1023, "1023"}, FormatCase{1024, "1Ki"},
                                         FormatCase{1500, "1500"}, FormatCase{134217728, "128Mi"},
                                         FormatCase{1610612736, "1536Mi"},
                                         FormatCase{68719476736, "64Gi"}));

struct TextCase {
  const char* input;
  const char* returned;
};
class ApiserverText : public testing::TestWithParam<TextCase> {};

// The apiserver keeps the caller's spelling when its parser's fast path deems
// the value canonical already.
TEST_P(ApiserverText, KeepsOrCanonicalizes) {
  auto t = policies::apiserver_text(GetParam().input);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, GetParam().returned);
}
INSTANTIATE_TEST_SUITE_P(
    Table, ApiserverText,
    testing::Values(TextCase{"100m", "100m"}, TextCase{"1000m", "1"}, TextCase{"1.5", "1500m"},
                    TextCase{"+100m", "+100m"}, TextCase{"0100m", "0100m"}, TextCase{"1E3", "1E3"},
                    TextCase{"1Ki", "1Ki"}, TextCase{"+1Ki", "+1Ki"}, TextCase{"8Ki", "8Ki"},
                    TextCase{"1024Ki", "1Mi"}, TextCase{"1.5Gi", "1536Mi"}, TextCase{"0", "0"},
                    TextCase{"0.1", "100m"}, TextCase{"1n", "1m"}, TextCase{"0.5n", "1m"},
                    TextCase{"1u", "1m"}, TextCase{"1000n", "1m"},
                    TextCase{"1.0000000001", "1001m"}, TextCase{"1.1Ki", "1126400m"}));

TEST(Quantity, CompareIsByValue) {
  EXPECT_EQ(policies::compare(*parse_quantity("1"), *parse_quantity("1000m")), 0);
  EXPECT_LT(policies::compare(*parse_quantity("999m"), *parse_quantity("1")), 0);
  EXPECT_GT(policies::compare(*parse_quantity("1Ki"), *parse_quantity("1k")), 0);
  EXPECT_LT(policies::compare(*parse_quantity("-2"), *parse_quantity("-1")), 0);
  EXPECT_GT(policies::compare(*parse_quantity("1e100"), *parse_quantity("8Ei")), 0);
}

}  // namespace

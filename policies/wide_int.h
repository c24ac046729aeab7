#pragma once
// 128-bit integers for exact intermediate products (cost, ratios).
// Internal to policies/; the __extension__ keeps -Wpedantic quiet.

namespace policies::detail {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

}  // namespace policies::detail

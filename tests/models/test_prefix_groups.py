"""models.prefix_groups: which prompts share a prefix worth one prefill, and the order they go in."""

from __future__ import annotations

from toolgym.models.prefix_groups import common_prefix, plan_prefix_groups

HEAD = list(range(10))  # what every prompt starts with (the call's shared prefix)
TOOLS_A = list(range(100, 160))  # 60 tokens of one tool block
TOOLS_B = list(range(200, 240))  # 40 of another


def test_prompts_with_the_same_tool_block_form_a_group_beyond_the_call_s_prefix():
    prompts = [HEAD + TOOLS_A + [1, 2, 3], HEAD + [7, 8], HEAD + TOOLS_B + [4], HEAD + TOOLS_A + [5],
               HEAD + TOOLS_B + [6, 6], HEAD + TOOLS_A + [9, 9, 9, 9]]
    plan = plan_prefix_groups(prompts, base=len(HEAD), min_gain=8, min_length=4)
    a, b = plan.group_of[0], plan.group_of[2]
    assert {i for i, g in plan.group_of.items() if g == a} == {0, 3, 5}
    assert {i for i, g in plan.group_of.items() if g == b} == {2, 4}
    assert 1 not in plan.group_of  # alone: only the call's prefix
    assert plan.length[a] == len(HEAD) + len(TOOLS_A) and plan.length[b] == len(HEAD) + len(TOOLS_B)
    # group by group, longest first inside a group, the groups by their longest prompt
    assert plan.order == [5, 0, 3, 4, 2, 1]
    assert plan.last == {a: 3, b: 2}
    assert sorted(plan.order) == list(range(len(prompts)))


def test_a_group_leaves_each_prompt_a_token_to_prefill_and_must_save_enough():
    same = HEAD + TOOLS_A
    plan = plan_prefix_groups([same, same + [1]], base=len(HEAD), min_gain=8, min_length=4)
    assert plan.length[plan.group_of[0]] == len(same) - 1  # the shorter prompt's last token is its own forward
    small = plan_prefix_groups([HEAD + [1, 2, 3], HEAD + [1, 2, 4]], base=len(HEAD), min_gain=8, min_length=1)
    assert small.group_of == {} and small.order == [0, 1]  # 2 tokens saved: not worth a forward
    many = [HEAD + [1, 2] + [k] for k in range(20)]  # 19 x 2 tokens saved, but 2 tokens are not worth a forward
    assert plan_prefix_groups(many, base=len(HEAD), min_gain=8, min_length=4).group_of == {}


def test_the_split_that_saves_most_wins_over_one_wide_group():
    # four prompts share 20 tokens; two of them share 60: two groups (20 + 60) beat one group of four (3 x 20)
    shared = list(range(300, 320))
    prompts = [shared + TOOLS_A + [1], shared + TOOLS_A + [2], shared + TOOLS_B + [3], shared + [9] * 5]
    plan = plan_prefix_groups(prompts, min_gain=8, min_length=4)
    assert plan.group_of[0] == plan.group_of[1] and plan.length[plan.group_of[0]] == 80
    assert plan.group_of.get(2) != plan.group_of[0]


def test_common_prefix():
    assert common_prefix([1, 2, 3], [1, 2, 4]) == 2 and common_prefix([], [1]) == 0

"""The one fishbone model (`models.fishbone`): which cause hangs on which bone, in what order,
and that the app's drawing, the report and the pictures come out with the same bones."""

from __future__ import annotations

from models.domain import Cause, Link
from models.fishbone import (
    NO_EVENT,
    UNCATEGORISED,
    above_count,
    bone_trees,
    clean_line,
    kind_mark,
)

P, S, T = "Patient", "Individual staff", "Task and technology"
CATS = [P, S, T]


def data(rows):
    """rows: (id, category, kind, effect ids); the event is cause 1."""
    causes = [Cause(1, 1, "Fall at 03:10", None, "event")]
    causes += [Cause(i, 1, f"cause {i}", cat, kind) for i, cat, kind, _ in rows]
    pairs = [(i, e) for i, *_, effects in rows for e in effects]
    links = [Link(n, 1, i, e) for n, (i, e) in enumerate(pairs)]
    return causes, links


def shape(trees):
    """{bone: [(id, depth, is a reference)]}"""
    return {
        name: [(cid, depth, ref) for cid, depth, _, ref in items]
        for name, items in zip(trees.names, trees.items, strict=True)
    }


def test_bones_in_category_order_and_uncategorised_last_only_when_used():
    causes, links = data([(2, T, "cause", [1]), (3, P, "cause", [1]), (4, None, "cause", [1])])
    trees = bone_trees([P, S, T, P], causes, links)  # a name given twice is one bone
    assert trees.names == [P, S, T, UNCATEGORISED]
    assert trees.categories == 3 and trees.is_own(2) and not trees.is_own(3)
    assert shape(trees) == {
        P: [(3, 0, False)],
        S: [],
        T: [(2, 0, False)],
        UNCATEGORISED: [(4, 0, False)],
    }
    assert [trees.tops(i) for i in range(4)] == [1, 0, 1, 1]
    causes, links = data([(2, T, "cause", [1])])
    assert bone_trees(CATS, causes, links).names == CATS


def test_a_category_matches_its_bone_whatever_its_case_and_spacing():
    causes, links = data(
        [(2, "  individual   STAFF ", "cause", [1]), (3, "task\tand technology", "cause", [1])]
    )
    assert shape(bone_trees(CATS, causes, links)) == {P: [], S: [(2, 0, False)], T: [(3, 0, False)]}
    causes, links = data([(2, "Equipment", "cause", [1])])  # no such bone
    assert bone_trees(CATS, causes, links).names[-1] == UNCATEGORISED


def test_the_bone_names_given_back_make_the_same_bones():
    """The report passes its bone names (with "Uncategorised") to the pictures: one bone of
    that name, with the same causes, not a second one."""
    causes, links = data([(2, None, "cause", [1]), (3, "Nope", "cause", [1]), (4, P, "cause", [1])])
    first = bone_trees(CATS, causes, links)
    again = bone_trees(first.names, causes, links)
    assert again.names == first.names and again.names.count(UNCATEGORISED) == 1
    assert shape(again) == shape(first)
    assert shape(again)[UNCATEGORISED] == [(2, 0, False), (3, 0, False)]


def test_top_level_leads_to_the_event_or_nowhere_and_whys_hang_under_it():
    causes, links = data(
        [
            (2, P, "cause", [1]),
            (3, T, "root", [2]),  # a why of 2, on 2's bone whatever its own category
            (4, S, "cause", [3]),
            (5, S, "cause", []),  # leads nowhere: top-level, unlinked
            (6, T, "contributing", [1, 2]),  # top-level on T, and a reference under 2
        ]
    )
    trees = bone_trees(CATS, causes, links)
    assert shape(trees) == {
        P: [(2, 0, False), (3, 1, False), (4, 2, False), (6, 1, True)],
        S: [(5, 0, False)],
        T: [(6, 0, False)],
    }
    assert trees.unlinked == {5}
    assert trees.events == [1]


def test_a_cause_reached_twice_is_given_in_full_once_then_referenced():
    causes, links = data([(2, P, "cause", [1]), (3, S, "cause", [1]), (4, T, "cause", [2, 3])])
    assert shape(bone_trees(CATS, causes, links)) == {
        P: [(2, 0, False), (4, 1, False)],
        S: [(3, 0, False), (4, 1, True)],
        T: [],
    }


def test_whys_keep_the_order_the_causes_were_given_and_later_marks_siblings():
    causes, links = data([(2, P, "cause", [1]), (5, P, "cause", [2]), (3, P, "cause", [2])])
    # links are given 5 first; the causes (id order, as the service gives them) decide
    trees = bone_trees(CATS, sorted(causes, key=lambda c: c.id), links)
    assert [(cid, later) for cid, _, later, _ in trees.items[0]] == [
        (2, (True,)),
        (3, (True, True)),
        (5, (True, False)),
    ]


def test_a_circle_is_left_out_and_causes_only_it_reaches_become_top_level():
    causes, links = data(
        [
            (2, P, "cause", [3]),  # 2 -> 3 -> 2, never linked to the event
            (3, P, "cause", [2]),
            (4, S, "cause", [1, 5]),  # 4 -> 5 -> 4, and 4 led to the event
            (5, S, "cause", [4]),
        ]
    )
    trees = bone_trees(CATS, causes, links)
    assert shape(trees) == {
        P: [(2, 0, False), (3, 1, False)],
        S: [(4, 0, False), (5, 1, False)],
        T: [],
    }
    assert trees.unlinked == set()


def test_links_to_unknown_causes_to_themselves_and_from_the_event_are_ignored():
    causes, links = data([(2, P, "cause", [1, 2, 99])])
    links.append(Link(90, 1, 1, 2))  # from the event
    trees = bone_trees(CATS, causes, links)
    assert shape(trees)[P] == [(2, 0, False)] and trees.unlinked == set()


def test_sides_head_and_marks():
    assert [above_count(n) for n in range(6)] == [0, 1, 1, 2, 2, 3]
    causes, links = data([(2, P, "cause", [1])])
    trees = bone_trees(CATS, causes, links)
    assert trees.above == 2
    assert trees.head("  The\nevent ") == "The event"
    assert trees.head("") == "Fall at 03:10"
    assert bone_trees(CATS, [], []).head(None) == NO_EVENT
    assert kind_mark("root") == "◆" and kind_mark("contributing") == "+"
    assert kind_mark("cause") == kind_mark("event") == kind_mark(None) == ""
    assert clean_line("a\x1b[31m\tb\n c\x07\x00") == "a␛[31m b c␇␀"  # shown, not dropped


def test_the_app_the_report_and_the_picture_show_the_same_bones_in_the_same_order(service):
    """The drawing in the terminal, the report's bones (every writer reads them) and the
    fishbone picture: the same names in the same order, the same causes on each bone, and
    the same bones above the spine."""
    from exports import diagrams
    from exports.report import build_report
    from models.demo import add_demo
    from screens.widgets.fishbone import layout_fishbone

    inv = add_demo(service)
    service.add_cause(inv.id, "Loose idea, no category", effect_id=None)
    causes = service.list_causes(inv.id)
    links = service.list_links(inv.id)
    cats = service.categories(inv.id)
    lay = layout_fishbone("", cats, causes, links, 120)
    report = build_report(service.dossier(inv.id))
    assert [b.category for b in report.fishbone] == [b.name for b in lay.bones]
    assert list(report.categories) == [b.name for b in lay.bones]
    assert lay.bones[-1].name == UNCATEGORISED
    for bone, drawn in zip(report.fishbone, lay.bones, strict=True):
        full: list[int] = []
        todo = list(reversed(bone.nodes))
        while todo:
            node = todo.pop()
            if not node.is_reference:
                full.append(node.cause_id)
            todo.extend(reversed(node.children))
        assert full == list(drawn.causes)

    fig = diagrams.fishbone_figure("", report.categories, report.causes, report.links)
    texts = {t.get_gid(): t for t in fig.texts if t.get_gid()}
    spine_y = fig.texts[0].get_transform().transform((0, 0))[1]
    renderer = fig.canvas.get_renderer()
    for i, drawn in enumerate(lay.bones):
        label = texts[f"fishbone-category-{i}"]
        assert " ".join(label.get_text().split()) == drawn.name
        assert (label.get_window_extent(renderer).y0 > spine_y) == drawn.above

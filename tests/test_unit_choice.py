"""The learned name of each organization (extractors/unit_choice.py): candidates, choice, shipping."""
from __future__ import annotations


from extractors import unit_choice, units
from extractors.extract import extract, rules_pass
from extractors.model_files import MODEL_DIR, ModelError, load_json_model


def _groups(text):
    tokens, ex = rules_pass(text)
    return ex, unit_choice.candidate_groups(text, tokens, ex.units, ex.records)


def test_candidates_start_with_the_rules_name_and_vary_its_end():
    ex, groups = _groups("Trung tâm An ninh hàng không Nội Bài đã kiểm tra 300 hành khách.")
    assert [name for name, _ in groups] == [u.name for u in ex.units][:1]
    name, cands = groups[0]
    names = [c for c, _ in cands]
    assert names[0] == name and cands[0][1]["is_rules"] == 1.0
    assert len(set(names)) == len(names)
    spans = [(c, f["delta"]) for c, f in cands if "delta" in f]
    assert any(d > 0 for _, d in spans) and all(c.startswith("Trung tâm") for c, _ in spans)
    # a span never runs past a function word or a full stop
    assert not any("đã" in c.split() or "." in c for c in names)


def test_a_written_form_is_a_candidate():
    _, groups = _groups("Sở Công Thương TP HCM đã kiểm tra 29 cơ sở.")
    names = [c for c, _ in groups[0][1]]
    assert "Sở Công Thương TP HCM" in names and "Sở Công Thương thành phố Hồ Chí Minh" in names


def test_a_media_name_is_a_candidate_as_written_even_in_one_word():
    # the lexicon names the agency "Hãng tin Reuters"; annotators mostly keep "Reuters", the corpus decides
    _, groups = _groups("Theo Reuters, 300 người đã tham gia.")
    name, cands = groups[0]
    assert name == "Hãng tin Reuters"
    assert [c for c, f in cands if f.get("from:bare_surface")] == ["Reuters"]


def test_the_shipped_model_names_media_as_annotators_do():
    # foreign agencies by their own name, Vietnamese papers with "Báo" (the annotated corpus's usage)
    assert [u.name for u in extract("Theo Reuters, hơn 300 người đã thiệt mạng.").units] == ["Reuters"]
    assert "Báo Dân trí" in {u.name for u in extract("Theo Dân trí, Sở Y tế đã kiểm tra 29 cơ sở.").units}


def test_only_a_media_name_is_a_candidate_as_written_apart():
    # "Công Thương" after "liên Bộ Tài chính -" is the ministry's short form, not a name of its own
    ex, groups = _groups("Ngày mai, liên Bộ Tài chính - Công Thương sẽ điều chỉnh giá 2 mặt hàng.")
    assert "Công Thương" in {u.text for u in ex.units}
    assert not any(f.get("from:bare_surface") for _, cands in groups for _, f in cands)


def test_an_officials_title_is_never_a_candidate_name():
    # the minister's title names the ministry; "Bộ trưởng …" itself is no organization's name
    _, groups = _groups("Bộ trưởng Thông tin và Truyền thông Nguyễn Mạnh Hùng khẳng định có 3 việc.")
    assert [name for name, _ in groups] == ["Bộ Thông tin và Truyền thông"]
    assert not any(c.startswith("Bộ trưởng") for c, _ in groups[0][1])


def test_units_and_records_take_the_chosen_name_together():
    text = "Sở Công Thương TP HCM đã kiểm tra 29 cơ sở. Sở Công Thương TP HCM cũng xử phạt 5 cơ sở."
    ex = extract(text)
    names = {u.name for u in ex.units}
    assert len(names) == 1
    assert {r.unit for r in ex.records} == names


def test_clear_names_are_kept():
    for text, name in [("Chi cục Quản lý thị trường tỉnh Nghệ An đã kiểm tra 29 cơ sở.",
                        "Chi cục Quản lý thị trường tỉnh Nghệ An"),
                       ("UBND tỉnh Cao Bằng đã giao Sở KH&CN chủ trì 3 đề tài.", "Ủy ban nhân dân tỉnh Cao Bằng")]:
        assert name in {u.name for u in extract(text).units}


def test_rules_only_keeps_the_rules_names():
    text = "Sở Công Thương TP HCM đã kiểm tra 29 cơ sở."
    assert [u.name for u in extract(text, learned=False).units] == [u.name for u in units.find_units(text)]


def test_no_units_no_work():
    assert unit_choice.choose_names("Trời mưa 3 ngày.", [], [], []) == ([], [])


def test_the_walk_of_the_rules_is_reused_and_recomputed_alike():
    text = "Sở Y tế tỉnh Hà Nam (SYT) đã xét nghiệm 200 mẫu."
    tokens, _ = rules_pass(text)
    pieces, learned = units.walk_of(text, tokens)
    assert pieces is units._last_walk[1]  # the rules' own pieces, not a second split
    rules_pass("Một văn bản khác.")
    again, learned_again = units.walk_of(text, tokens)
    assert [(p.start, p.end, p.text, p.tag) for p in again] == [(p.start, p.end, p.text, p.tag) for p in pieces]
    assert learned_again == learned


def test_model_file_records_its_features(tmp_path):
    data = load_json_model(unit_choice.MODEL_FILE, unit_choice.FEATURE_VERSION)
    assert data["feature_version"] == unit_choice.FEATURE_VERSION
    assert data["kind"] == "LightGBM lambdarank" and "is_rules" in data["features"]


def test_model_error_is_raised_for_a_missing_file(monkeypatch, tmp_path):
    from extractors import model_files

    monkeypatch.setattr(model_files, "MODEL_DIR", tmp_path)
    load_json_model.cache_clear()
    try:
        try:
            load_json_model(unit_choice.MODEL_FILE, unit_choice.FEATURE_VERSION)
        except ModelError as exc:
            assert "make train" in str(exc)
        else:
            raise AssertionError("a missing model file must be refused")
    finally:
        load_json_model.cache_clear()


def test_body_abbreviations_are_never_chosen_written_short():
    """Spec §2/§6: a canonical name spells out UBND, QLTT, KH&CN …; only a place's short form (TP HCM) may stay."""
    text = "Chi cục QLTT Lạng Sơn đã kiểm tra 114 vụ. UBND tỉnh Cao Bằng giao Sở KH&CN chủ trì 3 đề tài."
    _, groups = _groups(text)
    for name, cands in groups:
        for cand, _ in cands[1:]:
            assert not {"QLTT", "UBND", "KH&CN"} & set(cand.split()), cand
    names = {u.name for u in extract(text).units}
    assert not any({"QLTT", "UBND", "KH&CN"} & set(n.split()) for n in names), names


def test_a_bare_level_is_completed_with_the_articles_place():
    _, groups = _groups("Ủy ban nhân dân quận đã chỉ đạo. Lực lượng chức năng quận 10 đã kiểm tra 12 cơ sở ở quận 10.")
    cands = dict(groups[0][1])
    assert "Ủy ban nhân dân quận 10" in cands and cands["Ủy ban nhân dân quận 10"]["from:level_place"] == 1.0


def test_a_span_may_end_past_a_function_syllable_inside_a_word():
    # "không" is a function word, but not inside "hàng không"
    _, groups = _groups("Trung tâm An ninh hàng không Nội Bài đã kiểm tra 300 hành khách.")
    names = [c for _, cands in groups for c, _ in cands]
    assert "Trung tâm An ninh hàng không Nội Bài" in names

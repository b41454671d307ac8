"""The fourth-pass rules of `innograph ingest` (issue 15's recall goals) on short texts
written for the test (none is seed text): numerals, broken lines, mentions that are only a
word, coordination, enumerations of programmes, event names, standard bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.dataset import load_graph
from loaders.ingest.propose import SourceMeta, propose


@pytest.fixture(scope="module")
def graph():
    return load_graph(progress=False)


def run(tmp_path: Path, graph, text: str, date: str = "2024-06-01"):
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    return propose(path, graph, SourceMeta(date=date), source_file="009_test.txt")


def keys(review) -> dict[str, str]:
    return {e["name_zh"]: e["key"] for e in review["entities"]}


def triples(review) -> dict[tuple[str, str, str], dict]:
    return {(r["from"], r["rel"], r["to"]): r for r in review["relations"]}


def test_a_leading_thousand_or_hundred_is_one_thousand(tmp_path, graph):
    review = run(tmp_path, graph, "超千亿元规模的启明基金聚焦新材料产业。")
    assert [(f["value"], f["unit"]) for f in review["figures"]] == [(100_000_000_000, "CNY")]


def test_a_line_as_long_as_a_wrapped_texts_lines_is_no_heading(tmp_path, graph):
    body = "".join(f"启明市第{i}批科技项目已经顺利通过专家组的现场验收工作，\n" for i in range(6))
    review = run(tmp_path, graph, body + "星海市启明农业高新技术产业示范区、"
                 "星海市启明自主创新示范区、国家\n\n启明光学技术创新中心已建成。\n")
    assert "国家启明光学技术创新中心" in keys(review)
    # a short line without punctuation is still a heading: 启明 does not run into 星海
    review = run(tmp_path, graph, body + "启明科技\n\n星海研究院成立。\n")
    assert "启明科技星海研究院" not in keys(review)


def test_a_common_word_is_a_sector_only_in_a_field_context(tmp_path, graph):
    review = run(tmp_path, graph, "为全面振兴注入源源不断的新动力。"
                 "启明公司聚焦新能源、新动力等领域。")
    quotes = [m["quote"] for m in review["mentions"] if m["entity"] == "sector-new-power"]
    assert quotes == ["启明公司聚焦新能源、新动力等领域。"]


def test_a_generic_name_inside_a_longer_suffix_is_no_mention(tmp_path, graph):
    review = run(tmp_path, graph, "启明大学“星海光学”国家重点实验室通过论证。")
    assert "labs-group-2025" not in {m["entity"] for m in review["mentions"]}


def accepted(review) -> set[str]:
    return {e["name_zh"] for e in review["entities"] if e["decision"] == "accept"}


def test_standard_bodies_named_bare(tmp_path, graph):
    review = run(tmp_path, graph, "启明县委、县政府召开星海科技大会。工信部审核了星海方案。")
    assert {"县政府", "工信部"} <= accepted(review)
    assert "县委" not in keys(review)  # 启明县委 is one name, read by the suffixes


def test_an_enumeration_closed_by_a_programme_head(tmp_path, graph):
    review = run(tmp_path, graph, "通过健全星海挂职、兼职研发等机制，引进人才。"
                 "推行优化资源整合、完善政策配套等举措。")
    assert {"星海挂职", "兼职研发"} <= accepted(review)
    assert not {"优化资源整合", "完善政策配套"} & set(keys(review))  # actions, not names


def test_a_list_item_that_is_only_a_suffix(tmp_path, graph):
    review = run(tmp_path, graph, "星海科学城依托启明验证中心、检测中心等平台推动转化。"
                 "支持企业建设研发中心、技术创新中心等创新平台。")
    assert {"启明验证中心", "检测中心"} <= accepted(review)
    assert not {"研发中心", "技术创新中心"} & accepted(review)


def test_event_names_with_sessions_scopes_and_long_quotes(tmp_path, graph):
    review = run(tmp_path, graph, "2023年7月，县委九届三次全会召开。"
                 "启明县召开了全县星海科技人才大会。"
                 "“星海协同 启明携手 创新引领启明振兴突破发展大会”召开。")
    assert {"县委九届三次全会", "全县星海科技人才大会",
            "星海协同启明携手创新引领启明振兴突破发展大会"} <= accepted(review)


def test_a_programme_name_runs_back_to_its_governing_verb(tmp_path, graph):
    review = run(tmp_path, graph, "启明县实施百万大学生来启留启工程。启明县实施6项工程。")
    assert "百万大学生来启留启工程" in accepted(review)
    assert "6项工程" not in keys(review)


def test_counted_products_and_first_of_a_kind(tmp_path, graph):
    review = run(tmp_path, graph, "星海公司自主研发的启明无人机XW50、XW200两款无人机通过审定。"
                 "星海公司成为全国首家“星海”企业。")
    names = accepted(review)
    assert {"XW50", "XW200"} <= names and "启明无人机XW50" not in names
    assert "全国首家“星海”企业" in names


def test_groups_owners_and_reduplicated_classifiers(tmp_path, graph):
    review = run(tmp_path, graph, "支持吉林大学所属5家科研单位联合攻关。"
                 "一个个科技创新平台拔地而起。在启明建设了中俄星海合作园区。")
    names = set(keys(review))
    assert {"吉林大学所属5家科研单位", "中俄星海合作园区"} <= names
    assert "一个个科技创新平台" not in names


def test_a_known_quoted_name_and_its_type_word_is_the_known_one(tmp_path, graph):
    review = run(tmp_path, graph, "省市联动推行“揭榜挂帅”模式。")
    assert "“揭榜挂帅”模式" not in keys(review)
    assert "jie-bang-gua-shuai" in {m["entity"] for m in review["mentions"]} or any(
        m["name"] == "揭榜挂帅" for m in review["mentions"])


def test_a_unit_after_its_owners_name(tmp_path, graph):
    review = run(tmp_path, graph, "吉林大学启明极端条件实验装置项目建设进展顺利。")
    k = keys(review)
    assert "启明极端条件实验装置" in accepted(review)
    assert (k["启明极端条件实验装置"], "AFFILIATED_WITH", "jilin-university") in triples(review)


def test_a_counted_item_named_in_full_elsewhere(tmp_path, graph):
    review = run(tmp_path, graph, "星海山实验室鸟窝园。\n加速建设星海山、启江和吉明3个省实验室。")
    assert "星海山" not in keys(review) and "星海山实验室" in keys(review)


def test_quoted_words_before_de_and_headings_closed_by_a_quote(tmp_path, graph):
    review = run(tmp_path, graph, "打通创新落地“最后一公里”\n\n启明县构建“最后一公里”的支撑体系。")
    assert "最后一公里" not in accepted(review)


def test_every_item_of_a_subject_list_acts(tmp_path, graph):
    review = run(tmp_path, graph, "长春市委、市政府召开星海科技大会，发布《星海行动方案》。")
    k, rels = keys(review), triples(review)
    for body in ("changchun-party-committee", "changchun-government"):
        assert (body, "HELD", k["星海科技大会"]) in rels
        assert (body, "ISSUED", k["星海行动方案"]) in rels


def test_a_sentence_opening_with_a_field(tmp_path, graph):
    review = run(tmp_path, graph, "汽车产业领域，星海公司研发的启明智能小巴已实现落地应用。")
    k, rels = keys(review), triples(review)
    for name in ("星海公司", "启明智能小巴"):
        assert rels[(k[name], "WORKS_IN_SECTOR", "sector-automotive")]["decision"] == "accept"


def test_parks_host_what_they_rely_on_and_places_of_building(tmp_path, graph):
    review = run(tmp_path, graph, "星海科学城依托启明验证中心、检测中心等平台推动转化。"
                 "并在长春建设了中俄星海合作园区。")
    k, rels = keys(review), triples(review)
    for lab in ("启明验证中心", "检测中心"):
        assert (k["星海科学城"], "HOSTS", k[lab]) in rels
    assert (k["中俄星海合作园区"], "LOCATED_IN", "changchun") in rels


def test_upgrades_meetings_and_partners_doing_together(tmp_path, graph):
    review = run(tmp_path, graph, "长春市推动启明转化委员会扩容，升级为“星海创新委员会”。\n"
                 "“星海协同发展大会”召开。此次会议成立启明合作委员会。\n"
                 "长春市与吉林大学深化合作，共建一批启明创新平台。")
    k, rels = keys(review), triples(review)
    assert (k["启明转化委员会"], "EVOLVED_INTO", k["星海创新委员会"]) in rels
    assert ("changchun", "EVOLVED_INTO", k["星海创新委员会"]) not in rels
    assert (k["星海协同发展大会"], "ESTABLISHED", k["启明合作委员会"]) in rels
    assert ("jilin-university", "ESTABLISHED", k["启明创新平台"]) in rels


def test_titles_in_a_chain_reviews_and_beneficiaries(tmp_path, graph):
    review = run(tmp_path, graph, "省委常委、长春市委书记王明远表示，要抓创新。"
                 "启明中心建设方案已通过科技部审核。"
                 "长春市为星海光学、海润药业、东启零部件等3家企业审发《星海人才确认函》。")
    k, rels = keys(review), triples(review)
    person = k["王明远"]
    assert (person, "MEMBER_OF", "jilin-provincial-party-committee") in rels
    assert (person, "LEADS", "changchun-party-committee") in rels
    assert ("most", "REVIEWED", k["启明中心建设方案"]) in rels
    for company in ("星海光学", "海润药业", "东启零部件"):
        assert (k["星海人才确认函"], "SUPPORTS", k[company]) in rels


def test_put_into_names_what_is_put_and_short_company_names(tmp_path, graph):
    review = run(tmp_path, graph, "推动将启明许可审批纳入长春市“星海审批行动”。\n"
                 "星海卫星成为全国首家“独角兽”企业。\n星海卫星技术有限公司科研人员正在测试。")
    k, rels = keys(review), triples(review)
    assert not [t for t in rels if t[1] == "PART_OF" and t[0] == "changchun"]
    assert "星海卫星" not in k  # the company's short name, not a satellite
    assert (k["星海卫星技术有限公司"], "PRODUCED", k["全国首家“独角兽”企业"]) in rels


def test_the_programme_just_run_supports_and_verbs_in_a_row_share_objects(tmp_path, graph):
    review = run(tmp_path, graph, "长春市积极实施启明合作园区建设专项，"
                 "重点支持打造中俄星海合作园区和中白启明合作园区。")
    k, rels = keys(review), triples(review)
    for park in ("中俄星海合作园区", "中白启明合作园区"):
        assert (k["启明合作园区建设专项"], "SUPPORTS", k[park]) in rels
        assert ("changchun", "SUPPORTS", k[park]) not in rels


def test_fields_named_by_verbal_nouns_and_lists_that_are_no_fields(tmp_path, graph):
    review = run(tmp_path, graph, "启明医药城围绕生物医药和生命科学领域，"
                 "构建了集研发、中试、生产、销售于一体的全产业链生态。")
    names = accepted(review)
    assert "生命科学" in names
    assert not {"中试", "生产", "销售"} & names


def test_the_maker_of_a_product_and_a_quoted_name_whole(tmp_path, graph):
    review = run(tmp_path, graph, "星博翔宇自主研发的启明无人机正式通过审定。"
                 "“星海协同 启明携手 创新引领启明振兴突破发展大会”召开。")
    k, rels = keys(review), triples(review)
    assert (k["星博翔宇"], "PRODUCED", k["启明无人机"]) in rels
    assert "发展大会" not in k


def test_official_designations_and_quoted_programmes_at_work(tmp_path, graph):
    review = run(tmp_path, graph, "吉林大学省部共建“启明”国家重点实验室建设管理方案"
                 "已经通过科技部论证。“星海引智”工作取得重要进展。")
    k, rels = keys(review), triples(review)
    plan = "省部共建“启明”国家重点实验室建设管理方案"
    assert {plan, "星海引智"} <= accepted(review)
    assert ("most", "REVIEWED", k[plan]) in rels


def test_formulas_are_mechanisms_and_a_city_is_no_member_of_a_field(tmp_path, graph):
    review = run(tmp_path, graph, "启明县创新推出“资金+服务+平台”的转化模式。"
                 "汽车产业领域，星海汽车公司推动长春汽车产业向高端化转型。")
    k, rels = keys(review), triples(review)
    assert "资金+服务+平台" in accepted(review)
    assert (k["星海汽车公司"], "WORKS_IN_SECTOR", "sector-automotive") in rels
    assert not [t for t in rels if t[0] == "changchun" and t[2] == "sector-automotive"]


def test_names_of_labs_parks_and_programmes_say_where_they_belong(tmp_path, graph):
    review = run(tmp_path, graph, "启明半导体激光技术创新中心已建成投产。启明国际汽车城拔地而起。"
                 "长春市实施启明智能列车重大科技专项。")
    k, rels = keys(review), triples(review)
    assert (k["启明半导体激光技术创新中心"], "WORKS_IN_SECTOR",
            "sector-semiconductor-laser") in rels
    assert (k["启明国际汽车城"], "TARGETS_SECTOR", "sector-automotive") in rels
    assert (k["启明智能列车重大科技专项"], "PART_OF", "major-sci-tech-special-projects") in rels


def test_a_bare_body_listed_after_one_named_with_its_place(tmp_path, graph):
    review = run(tmp_path, graph, "长春市委、市政府召开星海科技大会。")
    rels = triples(review)
    located = rels[("changchun-government", "LOCATED_IN", "changchun")]
    assert located["rule"] == "listed after a body of 长春市"


def test_a_quoted_name_before_huodong_is_an_event(tmp_path, graph):
    review = run(tmp_path, graph, "长春市定期组织召开专题座谈会和“星海行”等产学研对接活动。")
    k = keys(review)
    event = next(e for e in review["entities"] if e["name_zh"] == "星海行")
    assert (event["kind"], event["decision"]) == ("Event", "accept")
    assert ("changchun", "HELD", k["星海行"]) in triples(review)


def test_a_quoted_slogan_opens_the_name_it_qualifies(tmp_path, graph):
    review = run(tmp_path, graph, "启明县不断完善“星火、燎原”人才培育机制。"
                 "“星海一号”成为国内最大卫星。")
    names = set(keys(review))
    assert "“星火、燎原”人才培育机制" in accepted(review)
    assert not [n for n in names if n.startswith("“星海一号”成为")]


# fifth pass: candidates read from their context (loaders/ingest/contexts.py)

def entity(review, name: str) -> dict | None:
    return next((e for e in review["entities"] if e["name_zh"] == name), None)


def test_achievements_named_by_what_was_done(tmp_path, graph):
    review = run(tmp_path, graph, "星海一号创造了超轻型遥感卫星最长在轨时间世界纪录。"
                 "启明市首次跻身全国创新城市百强。启明无人机取得型号合格证。"
                 "启明市科技工作取得了显著成效。")
    for name, subtype in (("超轻型遥感卫星最长在轨时间世界纪录", "record"),
                          ("全国创新城市百强", "ranking"), ("型号合格证", "award")):
        found = entity(review, name)
        assert found and found["kind"] == "Achievement" and found["subtype"] == subtype
        assert found["decision"] == "accept"
    # a cut of the record's name (…卫星 by the suffix rule) is not proposed beside it
    assert not any(e["name_zh"].endswith("遥感卫星") for e in review["entities"])
    assert not any("成效" in e["name_zh"] for e in review["entities"])


def test_sectors_before_a_compound_head_or_in_a_quoted_metric(tmp_path, graph):
    review = run(tmp_path, graph, "星海新区打造智能装备和物流服务业集聚区。"
                 "预计全年“规上软件和信息技术服务业营业收入”增速达到20%。"
                 "全市工业增加值增长5%。")
    for name in ("物流服务业", "规上软件和信息技术服务业"):
        found = entity(review, name)
        assert found and found["kind"] == "Sector" and found["decision"] == "accept"
    assert entity(review, "全市工业") is None  # a metric's word outside quotes names none


def test_a_programme_brought_under_a_known_one(tmp_path, graph):
    review = run(tmp_path, graph, "星海市推动将高端人才签证审批纳入“绿色审批行动”。")
    found = entity(review, "高端人才签证审批")
    assert found and found["kind"] == "Program" and found["decision"] == "accept"
    review = run(tmp_path, graph, "星海市推动将高端人才签证审批纳入日常工作。")
    assert entity(review, "高端人才签证审批") is None  # 纳入 something no programme


def test_generic_names_made_specific_by_their_context(tmp_path, graph):
    review = run(tmp_path, graph, "星海市科技局成立产业创新联盟。委员会搭建的技术转移平台投入运行。"
                 "中国一汽依托技术创新基地开展攻关。"
                 "星海市构建起以长兴基金、启明天使基金为核心的多元资金保障体系。"
                 "星海市形成了覆盖全市的创新服务体系。")
    for name in ("产业创新联盟", "技术转移平台", "技术创新基地", "资金保障体系", "启明天使基金"):
        found = entity(review, name)
        assert found and found["decision"] == "accept", name
    generic = entity(review, "创新服务体系")  # nothing makes this one a named thing
    assert generic is None or generic["decision"] == "reject"


def test_list_items_take_the_kind_of_their_known_siblings(tmp_path, graph):
    review = run(tmp_path, graph, "构建与吉大、星师、长春光机所战略合作。\n"
                 "启明第五代越野车、中国一汽飞驰号重卡、“吉林一号”卫星……一个个名片闪耀。\n"
                 "与长春、星海对口合作。\n打破吉林大学、企业、政府部门间的壁垒。")
    found = entity(review, "星师")
    assert found and found["kind"] == "Institution" and found["decision"] == "accept"
    for name in ("启明第五代越野车", "飞驰号重卡"):  # a product after its known maker
        found = entity(review, name)
        assert found and found["kind"] == "Achievement" and found["decision"] == "accept"
    assert entity(review, "星海") is None or entity(review, "星海")["rule"].startswith(
        "place")  # places are not typed by their siblings
    assert not any("壁垒" in e["name_zh"] for e in review["entities"])


def test_subsidies_procedures_and_rankings(tmp_path, graph):
    review = run(tmp_path, graph, "对新认定的启明平台一次性给予150万元补助。"
                 "星海无人机正式通过启明市航空管理局型号认证。"
                 "星海市专利授权量增速在全国15个城市中位列首位；")
    found = entity(review, "150万元补助")
    assert found and found["kind"] == "Fund" and found["subtype"] == "subsidy_scheme"
    found = entity(review, "型号认证")
    assert found and found["kind"] == "Program" and found["decision"] == "accept"
    found = entity(review, "星海市专利授权量增速在全国15个城市中位列首位")
    assert found and found["kind"] == "Achievement" and found["subtype"] == "ranking"
    review = run(tmp_path, graph, "星海无人机通过了严格审查。")  # no body named: no procedure
    assert not any(e["name_zh"].endswith("审查") for e in review["entities"])


def test_a_platform_described_by_what_it_gathers(tmp_path, graph):
    review = run(tmp_path, graph, "星海市打造集技术交易、成果转化功能于一体的技术服务平台。"
                 "启明中心将成为集研发、中试于一体的一流创新平台。")
    found = entity(review, "技术服务平台")
    assert found and found["decision"] == "accept"
    other = entity(review, "一流创新平台")  # after 成为: the subject described, no new one
    assert other is None or other["decision"] == "reject"


def test_quoted_words_a_title_names_or_that_count_a_set(tmp_path, graph):
    review = run(tmp_path, graph, "星海市围绕建设“光谷新城”目标，印发《星海市光谷新城发展规划》。"
                 "完善星海市“三大片区”布局，点亮“加速键”。")
    for name in ("光谷新城", "三大片区"):
        found = entity(review, name)
        assert found and found["decision"] == "accept", name
    slogan = entity(review, "加速键")
    assert slogan is None or slogan["decision"] == "reject"


def test_a_list_item_opening_with_a_place_takes_its_siblings_kind(tmp_path, graph):
    review = run(tmp_path, graph, "长春国家区域创新中心、长春星海影城、长春启明科学岛……"
                 "一个个板块拔地而起。")
    found = entity(review, "长春星海影城")
    assert found and found["kind"] == "Park" and found["decision"] == "accept"


def test_a_lab_named_after_a_known_sector_is_a_new_lab(tmp_path, graph):
    # the segmenter cuts the known 智能网联 (智能网|联) and 联合 is a trigger elsewhere: the
    # suffixed name still wins, and the generic known 实验室 inside it, or after 该, is no
    # mention of the graph's group of labs
    review = run(tmp_path, graph, "星海理工大学与启明重工有限公司共建的智能网联装备联合"
                 "实验室投入使用。该实验室依托星海理工大学机电学院建设。")
    names = keys(review)
    assert entity(review, "智能网联装备联合实验室")["kind"] == "Lab"
    assert "智能网联装备联合实验室" in accepted(review)
    assert "labs-group-2025" not in {m["entity"] for m in review["mentions"]}
    lab, college = names["智能网联装备联合实验室"], names["星海理工大学机电学院"]
    assert (lab, "AFFILIATED_WITH", college) in triples(review)  # 该实验室: the lab
    # a number or a conjunction inside a known name still ends a name (一院|三|所战略合作)
    review = run(tmp_path, graph, "构建与中科院一院三所战略合作。")
    assert not [n for n in keys(review) if n.endswith("战略")]


def test_a_numbered_unit_of_a_known_organisation(tmp_path, graph):
    review = run(tmp_path, graph, "长春理工大学第二医院牵头的课题组研制的新型呼吸机通过评审。")
    hospital = entity(review, "长春理工大学第二医院")
    assert hospital is not None and hospital["kind"] == "Institution"
    assert hospital["decision"] == "accept"
    assert (hospital["key"], "AFFILIATED_WITH", "cust") in triples(review)


def test_a_fund_founded_with_its_size_before_it(tmp_path, graph):
    review = run(tmp_path, graph, "星海区设立规模2亿元的种子投资基金，重点投向新材料产业。")
    fund = entity(review, "种子投资基金")
    assert fund is not None and fund["kind"] == "Fund" and fund["decision"] == "accept"
    assert [(f["subject"], f["metric"], f["value"]) for f in review["figures"]] == [
        (fund["key"], "fund_scale_cny", 200_000_000)]


def test_a_new_area_or_high_tech_zone_is_a_park(tmp_path, graph):
    review = run(tmp_path, graph, "星海新区今年引进科技型企业30家，"
                 "启明高新区新增孵化面积2万平方米。")
    found = {e["name_zh"]: e["kind"] for e in review["entities"]}
    assert found.get("星海新区") == "Park"
    assert found.get("启明高新区") == "Park"


def test_an_event_or_agreement_name_starts_after_its_verb(tmp_path, graph):
    """举行 / 召开 / 举办 (held) and 签署 / 签订 (signed) govern the name after them: the
    holder or signer and the verb are not part of it (a whole headline was proposed as an
    event's name, a company and 签署 as an agreement's)."""
    review = run(tmp_path, graph, "启明新区举行星海成果转化大会。"
                 "星海研究院与启明光学有限公司签署合作协议。"
                 "启明大学召开星海光学论坛。")
    names = keys(review)
    assert {"星海成果转化大会", "星海光学论坛"} <= set(names)
    assert not any(("举行" in n or "召开" in n or "签署" in n) for n in names), names
    event = next(e for e in review["entities"] if e["name_zh"] == "星海成果转化大会")
    assert (event["kind"], event["decision"]) == ("Event", "accept")


def test_a_figures_metric_is_the_phrase_before_it_and_全市_is_the_home_place(tmp_path, graph):
    """高新技术企业数量 is the count of high-tech enterprises (not the generic 数量 of a group's
    members); “…工资总额”增速 the wage bill's growth (增速 alone is any growth); 全市 with no
    place before the figure in its clause is the place the article names most."""
    review = run(tmp_path, graph, "长春市科技局发布通知。力争到2027年，全市高新技术企业数量"
                 "突破5000户。2024年“启明服务业工资总额”增速达到9%。")
    by_value = {f["value"]: f for f in review["figures"]}
    target = by_value[5000]
    assert (target["metric"], target["subject"], target["status"], target["period_end"],
            target["decision"]) == ("high_tech_enterprises", "changchun", "target", 2027,
                                    "accept")
    assert by_value[9]["metric"] == "wage_bill_growth_percent"


def test_the_count_in_a_groups_name_is_the_groups_members(tmp_path, graph):
    """12家星海重点实验室 is one node for the group; its 12 is how many units it stands for
    (the rules' group_metric), with the owner named first too (启明大学所属8家科研单位)."""
    review = run(tmp_path, graph, "12家星海重点实验室联合攻关。启明大学所属8家科研单位参与其中。")
    groups = {e["key"]: e["name_zh"] for e in review["entities"]
              if e["rule"].startswith("group")}
    members = {(groups.get(f["subject"]), f["value"]) for f in review["figures"]
               if f["metric"] == "members" and f["decision"] == "accept"}
    assert ("12家星海重点实验室", 12) in members
    assert any(name and name.endswith("8家科研单位") and value == 8 for name, value in members)


def test_a_counts_metric_may_follow_it_in_its_clause(tmp_path, graph):
    """12项成果荣获…国家科学技术奖: no catalogue word before the count, one after it in its
    clause; a metric word before the count still wins, and none in the clause leaves none."""
    review = run(tmp_path, graph, "启明大学12项成果荣获2023年度国家科学技术奖。"
                 "启明大学共有9家重点实验室。启明大学新建了7个食堂。")
    by_value = {f["value"]: f for f in review["figures"]}
    assert by_value[12]["metric"] == "national_sci_tech_awards"
    assert by_value[7]["metric"] is None


def test_a_places_own_statistic_in_a_sentence_naming_no_place_is_the_home_places(tmp_path,
                                                                                  graph):
    """新入选中科院院士1人 (a metric only places have) in a sentence that names no place: the
    place the article names most, accepted at a lower score than a named subject."""
    review = run(tmp_path, graph, "长春市科技局发布通知。长春市持续优化创新生态。"
                 "新入选中科院院士1人。")
    figure = next(f for f in review["figures"] if f["value"] == 1)
    assert (figure["metric"], figure["subject"], figure["decision"]) == (
        "academicians_elected", "changchun", "accept")
    assert figure["score"] == 0.7


def test_a_figure_whose_clause_names_another_entity_is_not_the_home_places(tmp_path, graph):
    """长春新区拥有高新技术企业1200户: the new area's count (the area is proposed as a Park,
    and parks report high-tech enterprises too), not the city's."""
    review = run(tmp_path, graph, "长春市持续优化创新生态。截至2025年底，长春新区拥有"
                 "高新技术企业1200户。")
    area = next(e["key"] for e in review["entities"] if e["name_zh"] == "长春新区")
    figure = next(f for f in review["figures"] if f["value"] == 1200)
    assert figure["metric"] == "high_tech_enterprises"
    assert (figure["subject"], figure["decision"]) == (area, "accept")


def test_a_type_word_before_a_suffix_is_no_name(tmp_path, graph):
    """新区计划到2027年: 新区 (a type word: the 长春新区 named before) and the verb 计划, not a
    programme named 新区计划; 长春新区 itself is proposed."""
    review = run(tmp_path, graph, "长春新区发布新政。新区计划到2027年，科技型中小企业达到3000家。")
    names = {e["name_zh"] for e in review["entities"]}
    assert "长春新区" in names and "新区计划" not in names


def test_a_sentence_about_a_unit_named_before_keeps_its_figures_from_the_home_place(
        tmp_path, graph):
    """新区计划到2027年，科技型中小企业达到3000家: the new area's target (新区 opens the
    sentence), not the city's; a sentence about the city keeps the home place."""
    review = run(tmp_path, graph, "长春市持续优化创新生态。长春新区发布新政。新区计划到2027年，"
                 "科技型中小企业达到3000家。新入选中科院院士1人。")
    target = next(f for f in review["figures"] if f["value"] == 3000)
    assert (target["subject"], target["decision"]) == (None, "reject")
    elected = next(f for f in review["figures"] if f["value"] == 1)
    assert (elected["subject"], elected["decision"]) == ("changchun", "accept")


def test_a_zones_figures_are_the_zones(tmp_path, graph):
    """A development zone reports a place's counts and growth (the catalogue's metrics of
    Places and Parks): 长春新区's high-tech enterprises and SMEs, 北湖's revenue growth, each
    the park's own, 突破 an at-least bound."""
    review = run(tmp_path, graph, "2024年，长春新区高新技术企业达到1200家，科技型中小企业突破"
                 "2000家。北湖科技开发区营业收入增长15%。")
    key = {e["name_zh"]: e["key"] for e in review["entities"]}
    got = {(f["metric"], f["value"]): (f["subject"], f.get("bound"), f["decision"])
           for f in review["figures"]}
    assert got == {
        ("high_tech_enterprises", 1200): (key["长春新区"], None, "accept"),
        ("tech_smes_registered", 2000): (key["长春新区"], "at_least", "accept"),
        ("revenue_growth_percent", 15): (key["北湖科技开发区"], None, "accept")}


def test_a_places_figure_naming_no_entity_is_the_home_places(tmp_path, graph):
    """2024年，高新技术企业达到3000户 in an article about 长春: a metric of places and zones
    (``place_kinds``), no entity named: the city's, accepted below a named subject's score."""
    review = run(tmp_path, graph, "长春市持续优化创新生态。2024年，高新技术企业达到3000户。")
    [figure] = review["figures"]
    assert (figure["metric"], figure["subject"], figure["decision"], figure["score"]) == (
        "high_tech_enterprises", "changchun", "accept", 0.7)

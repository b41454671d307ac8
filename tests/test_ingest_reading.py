"""The second-pass rules of `innograph ingest` on short texts written for the test (none is
seed text): clause-level subjects and objects, relations read off names, counted lists,
products and firsts, names across line breaks and brackets."""

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


def triples(review) -> dict[tuple[str, str, str], dict]:
    return {(r["from"], r["rel"], r["to"]): r for r in review["relations"]}


def keys(review) -> dict[str, str]:
    return {e["name_zh"]: e["key"] for e in review["entities"]}


def test_subject_carried_to_the_next_sentence_and_home_place(tmp_path, graph):
    review = run(tmp_path, graph, "长春市召开启明科技大会。印发了《启明科技促进办法》。\n"
                 "全面启动实施启明科技专项、星海研发计划等两类计划。")
    k, rels = keys(review), triples(review)
    issued = rels[("changchun", "ISSUED", k["启明科技促进办法"])]
    assert issued["rule"] == "trigger 印发, subject carried" and issued["decision"] == "accept"
    # a new paragraph without a subject: the place the article names most acts
    for name in ("启明科技专项", "星海研发计划"):
        assert k[name] in {e["key"] for e in review["entities"] if e["decision"] == "accept"}
        operates = rels[("changchun", "OPERATES", k[name])]
        assert operates["rule"] == "trigger 实施, subject home"


def test_partners_and_every_object_of_a_list(tmp_path, graph):
    review = run(tmp_path, graph, "长春市与白城市、通化市开展合作。"
                 "吉林大学设立启明研究院、星海研究院。")
    k, rels = keys(review), triples(review)
    for city in ("白城市", "通化市"):
        assert ("changchun", "COLLABORATES_WITH", k[city]) in rels
    for name in ("启明研究院", "星海研究院"):
        assert ("jilin-university", "ESTABLISHED", k[name]) in rels
    # the partners are not objects of anything else, nor related to each other
    assert (k["白城市"], "COLLABORATES_WITH", k["通化市"]) not in rels


def test_a_trigger_inside_a_name_is_no_trigger(tmp_path, graph):
    review = run(tmp_path, graph, "启明科技合作园区落户长春。")
    k = keys(review)
    rels = [(r["from"], r["rel"], r["to"], r["trigger"]) for r in review["relations"]]
    assert (k["启明科技合作园区"], "LOCATED_IN", "changchun", "落户") in rels
    assert not any(r[1] == "COLLABORATES_WITH" for r in rels)  # 合作 is part of the name


def test_relations_read_off_names(tmp_path, graph):
    review = run(tmp_path, graph, "长春启明光电研究院揭牌。吉林大学智能制造中心揭牌。"
                 "《长春市启明条例（草案）》提交审议，《长春市启明条例》随后施行。"
                 "星海实验室建设方案已通过论证。长春启明汽车电子有限公司投产。")
    k, rels = keys(review), triples(review)
    located = rels[(k["长春启明光电研究院"], "LOCATED_IN", "changchun")]
    assert located["rule"] == "name begins with 长春" and located["trigger"] is None
    assert (k["吉林大学智能制造中心"], "AFFILIATED_WITH", "jilin-university") in rels
    assert (k["长春市启明条例（草案）"], "EVOLVED_INTO", k["长春市启明条例"]) in rels
    assert (k["星海实验室建设方案"], "SUPPORTS", k["星海实验室"]) in rels
    company = k["长春启明汽车电子有限公司"]
    assert (company, "WORKS_IN_SECTOR", "sector-automotive") in rels  # 汽车 in its name
    assert (company, "LOCATED_IN", "changchun") in rels


def test_bracketed_place_of_a_company(tmp_path, graph):
    review = run(tmp_path, graph, "星海精工部件（长春）有限公司新建生产线。")
    k = keys(review)
    assert "星海精工部件（长春）有限公司" in k
    assert (k["星海精工部件（长春）有限公司"], "LOCATED_IN", "changchun") in triples(review)


def test_members_of_a_counted_list(tmp_path, graph):
    review = run(tmp_path, graph, "吉林大学、长春理工大学等5所高校参与攻关。")
    group = keys(review)["5所高校"]
    rels = triples(review)
    for member in ("jilin-university", "cust"):
        assert rels[(member, "MEMBER_OF", group)]["decision"] == "accept"


def test_means_clause_is_the_subject_where_it_fits(tmp_path, graph):
    review = run(tmp_path, graph, "通过推行“星火揭榜”等机制，聚焦光电信息、生物医药等领域。")
    mechanism = keys(review)["星火揭榜"]
    rels = triples(review)
    assert (mechanism, "TARGETS_SECTOR", "sector-optoelectronics") in rels
    assert (mechanism, "TARGETS_SECTOR", "sector-biomedicine") in rels


def test_products_firsts_and_awards(tmp_path, graph):
    review = run(tmp_path, graph, "长春启明电子有限公司研发的智能巡检机器人已投入使用。"
                 "全国首台氢能拖拉机下线。启明团队荣获2022年度省科学技术奖。")
    entities = {e["name_zh"]: e for e in review["entities"]}
    assert entities["智能巡检机器人"]["kind"] == "Achievement"
    assert entities["智能巡检机器人"]["rule"] == "product 研发的…"
    assert entities["全国首台氢能拖拉机"]["kind"] == "Achievement"
    assert entities["2022年度省科学技术奖"]["subtype"] == "award"
    for name in ("智能巡检机器人", "全国首台氢能拖拉机", "2022年度省科学技术奖"):
        assert entities[name]["decision"] == "accept"


def test_names_in_lists_captions_and_broken_lines(tmp_path, graph):
    review = run(tmp_path, graph, "依托启明验证中心、星海中试基地等平台推进转化。\n"
                 "生产车间长春启明电子有限公司\n"
                 "同时印发了《关于建立启明高校沟通协调机制的实施\n方案》，成立工作专班。\n"
                 "启明自主创新示范区加快建设。")
    entities = {e["name_zh"]: e for e in review["entities"]}
    # each item of a list closed by 等 that carries a suffix, however generic it looks
    assert entities["启明验证中心"]["decision"] == "accept"
    assert entities["星海中试基地"]["decision"] == "accept"
    # a caption line: the name starts at its place, not at the common noun before it
    assert "长春启明电子有限公司" in entities and "车间长春启明电子有限公司" not in entities
    # a title broken across lines is one name; nothing inside it is a name of its own
    assert entities["关于建立启明高校沟通协调机制的实施方案"]["rule"] == "title 《…》"
    assert not any(n.endswith("沟通协调机制") for n in entities)
    # a verb inside a name (自主) does not cut it
    assert entities["启明自主创新示范区"]["kind"] == "Park"


def test_near_miss_exemptions(tmp_path, graph):
    """Another count of a known group, or a unit of a known entity, is plainly another
    entity: proposed for acceptance, the close known names still listed."""
    review = run(tmp_path, graph, "长春新增12家全国重点实验室。")
    group = {e["name_zh"]: e for e in review["entities"]}["12家全国重点实验室"]
    assert group["decision"] == "accept" and "note" not in group
    assert any(s["name"] == "11家全国重点实验室" for s in group.get("similar", ()))


def test_fields_lists_and_pairs_of_sectors(tmp_path, graph):
    review = run(tmp_path, graph, "吉林大学在光电信息、新材料等领域取得成果。"
                 "启明新区聚焦氢能装备、智慧农业、新型储能及配套装备、低空经济等领域。"
                 "启明医药城围绕细胞治疗和基因检测领域布局。"
                 "推动高校创新资源与城市产业需求深度融合。"
                 "星海园区瞄准卫星遥感、商业航天、推动成果转化等领域。")
    k, rels = keys(review), triples(review)
    assert rels[("jilin-university", "WORKS_IN_SECTOR", "sector-optoelectronics")][
        "rule"] == "trigger 在…领域, subject clause"
    sectors = {e["name_zh"] for e in review["entities"] if e["kind"] == "Sector"}
    # a long item (新型储能及配套装备) is still an item
    assert {"氢能装备", "智慧农业", "新型储能及配套装备", "低空经济"} <= sectors
    assert {"细胞治疗", "基因检测"} <= sectors  # A和B领域 after 围绕
    for name in ("细胞治疗", "基因检测"):  # both objects of 围绕, 和 joins them
        assert (k["启明医药城"], "TARGETS_SECTOR", k[name]) in rels
    assert "城市" not in sectors and "高校创新资源" not in sectors  # no field verb before
    # one odd item (an action) does not sink the list's names, and is not proposed
    assert {"卫星遥感", "商业航天"} <= sectors and "推动成果转化" not in sectors


def test_a_place_before_a_known_name_suggests_a_merge(tmp_path, graph):
    review = run(tmp_path, graph, "长春市政府与吉林大学签约。")
    entity = {e["name_zh"]: e for e in review["entities"]}["长春市政府"]
    # 长春市 + 市政府 (known): most likely that entity; the reviewer merges or accepts it
    assert entity["decision"] == "reject"
    assert entity["similar"][0] == {"id": "changchun-government", "name": "市政府",
                                    "score": 100.0}
    assert "merge_into: changchun-government" in entity["note"]


def test_a_figure_is_about_an_entity_the_reviewer_keeps(tmp_path, graph):
    review = run(tmp_path, graph, "“吉林一号”卫星星座在轨运行卫星已达120颗。")
    figure = {f["written"]: f for f in review["figures"]}["120颗"]
    rejected = {e["key"] for e in review["entities"] if e["decision"] != "accept"}
    assert figure["subject"] not in rejected
    assert figure["subject"] == "jilin-1"


def test_held_events_inclusion_and_drafting(tmp_path, graph):
    review = run(tmp_path, graph, "长春市定期组织召开产业座谈会、人才对接会等活动。"
                 "长春市推动将启明人才专项纳入《星海服务行动方案》。"
                 "长春市研究起草了《启明人才新政》。")
    entities = {e["name_zh"]: e for e in review["entities"]}
    k, rels = keys(review), triples(review)
    for name in ("产业座谈会", "人才对接会"):  # generic names, but the clause says held
        assert entities[name]["kind"] == "Event" and entities[name]["decision"] == "accept"
        assert ("changchun", "HELD", k[name]) in rels
    assert (k["启明人才专项"], "PART_OF", k["星海服务行动方案"]) in rels  # X纳入Y
    assert ("changchun", "ISSUED", k["启明人才新政"]) in rels  # 起草


def test_counted_items_and_a_bare_kind_word_referring_back(tmp_path, graph):
    review = run(tmp_path, graph, "启明、曙光和星海3家企业落户长春。"
                 "这些企业在氢能装备、低空经济等领域取得突破。")
    entities = {e["name_zh"]: e for e in review["entities"]}
    k, rels = keys(review), triples(review)
    # as many names before the count as it says, each of the head's kind
    for name in ("启明", "曙光", "星海"):
        assert entities[name]["kind"] == "Company"
        assert entities[name]["rule"] == "counted item …3企业"
    # 和 joins the list here: the group is the subject of 落户, no item is a partner
    assert (k["3家企业"], "LOCATED_IN", "changchun") in rels
    assert (k["曙光"], "LOCATED_IN", "changchun") not in rels
    # 这些企业 speaks of the previous sentence's companies
    for name in ("启明", "曙光", "星海", "3家企业"):
        rel = rels[(k[name], "WORKS_IN_SECTOR", k["低空经济"])]
        assert rel["rule"] == "trigger 在…领域, subject anaphor"


def test_a_title_between_a_body_and_a_person(tmp_path, graph):
    review = run(tmp_path, graph, "长春市委书记王大明表示，吉林大学副校长李小明出席。")
    k, rels = keys(review), triples(review)
    assert rels[(k["王大明"], "LEADS", "changchun-party-committee")]["rule"] == \
        "title 书记 between"
    assert (k["李小明"], "MEMBER_OF", "jilin-university") in rels  # a deputy does not lead
    assert (k["李小明"], "LEADS", "jilin-university") not in rels


def test_awards_won_and_a_place_after_a_brand(tmp_path, graph):
    review = run(tmp_path, graph, "长春市启明团队荣获2022年度省科学技术奖。"
                 "曦辰长春精密仪器有限公司研发中心启用。")
    k, rels = keys(review), triples(review)
    award = k["2022年度省科学技术奖"]
    assert rels[("changchun", "PRODUCED", award)]["trigger"] == "荣获"
    company = k["曦辰长春精密仪器有限公司"]  # read inside its 研发中心's name too
    assert rels[(company, "LOCATED_IN", "changchun")]["rule"] == "name holds the place 长春"
    assert (k["曦辰长春精密仪器有限公司研发中心"], "AFFILIATED_WITH", company) in rels


def test_a_company_inside_its_units_name(tmp_path, graph):
    review = run(tmp_path, graph, "曦辰精工集团股份有限公司研究院揭牌。")
    k = keys(review)
    assert {"曦辰精工集团股份有限公司", "曦辰精工集团股份有限公司研究院"} <= set(k)
    assert (k["曦辰精工集团股份有限公司研究院"], "AFFILIATED_WITH",
            k["曦辰精工集团股份有限公司"]) in triples(review)

"""The columns of each import kind: names, Chinese aliases, parsers, defaults, lengths
(``headers`` matches a file's labels to them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import String

from matcher.errors import InvalidInputError
from matcher.imports import activity_cells as ac
from matcher.imports import validators as v
from matcher.imports.headers import resolve_headers as resolve_headers  # its old home
from matcher.models import (
    ConflictOfInterest,
    Enterprise,
    Expert,
    ServiceActivity,
    Society,
    TechNeed,
)
from matcher.models.base import Base


@dataclass(frozen=True)
class Column:
    """One importable column. ``attr`` is the model attribute (None: resolved to a link)."""

    name: str
    aliases: tuple[str, ...] = ()
    parse: Callable[[Any], Any] = v.as_text
    required: bool = False
    empty: Any = None  # value stored for an empty cell
    attr: str | None = field(default=None)
    max_length: int | None = None
    is_list: bool = False


@dataclass(frozen=True)
class Kind:
    """An importable table. ``columns`` are exported and re-imported; ``form_columns`` are
    also recognised on import (a collection form's columns that feed other columns or the
    owning record); ``owner_columns`` are the form columns that name the owning record, with
    which a row's own ``external_id`` becomes optional; headers in ``ignored`` are dropped."""

    name: str
    label_zh: str
    model: type[Base]
    columns: tuple[Column, ...]
    form_columns: tuple[Column, ...] = ()
    owner_columns: frozenset[str] = frozenset()
    ignored: tuple[str, ...] = ("序号",)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def stored(self) -> tuple[Column, ...]:
        """Columns that are model attributes (everything but the link columns)."""
        return tuple(c for c in self.columns if c.attr)


def _col(model: type[Base], name: str, *aliases: str, link: bool = False, **kw: Any) -> Column:
    """A column whose length limit is read from the model (so they never disagree)."""
    attr = None if link else name
    max_length = None
    if attr:
        sa_type = model.__table__.c[attr].type
        if isinstance(sa_type, String) and sa_type.length:
            max_length = sa_type.length
    if kw.get("parse") is v.parse_list:
        kw.setdefault("is_list", True)
        kw.setdefault("empty", [])
    return Column(name, aliases, attr=attr, max_length=max_length, **kw)


def _external_id(model: type[Base], label: str) -> Column:
    aliases = ("编号", "外部编号", "id", f"{label}编号", f"{label}id", f"{label}外部编号")
    return _col(model, "external_id", *aliases, parse=v.parse_code, required=True)


def _common(model: type[Base], label: str, name_aliases: tuple[str, ...]) -> tuple[Column, ...]:
    return (
        _external_id(model, label),
        _col(model, "name", "名称", *name_aliases, required=True),
    )


_PHONE = (
    "联系电话",
    "电话",
    "手机",
    "手机号",
    "联系方式",
    "移动电话",
    "联系人移动电话",
    "联系人手机",
)
_EMAIL = ("邮箱", "电子邮箱", "邮件", "e-mail", "电子信箱", "联系人邮箱", "联系人电子邮箱")


def _contact(model: type[Base], phone_attr: str) -> tuple[Column, ...]:
    return (
        _col(model, phone_attr, *_PHONE, parse=v.parse_phone),
        _col(model, "email", *_EMAIL, parse=v.parse_email),
    )


_CITY = (
    "城市",
    "所在城市",
    "地市",
    "所在地市",
    "所在地",
    "所在地域",
    "所在地区",
    "地区",
    "所属地市",
)
_CONTACT_NAME = ("联系人", "联系人姓名")

SOCIETIES = Kind(
    "societies",
    "学会",
    Society,
    (
        *_common(Society, "学会", ("学会名称", "学会")),
        _col(Society, "disciplines", "学科", "学科领域", "所属学科", parse=v.parse_list),
        _col(Society, "description", "简介", "描述", "学会简介", empty=""),
        _col(Society, "city", *_CITY, parse=v.parse_city),
        _col(Society, "capacity", "容量", "服务容量", parse=v.parse_count, empty=10),
        _col(Society, "contact_name", *_CONTACT_NAME),
        *_contact(Society, "contact_phone"),
    ),
)

EXPERTS = Kind(
    "experts",
    "专家",
    Expert,
    (
        *_common(Expert, "专家", ("专家姓名", "姓名", "专家")),
        _col(
            Expert,
            "society_external_id",
            "所属学会",
            "学会编号",
            "所属学会编号",
            link=True,
            parse=v.parse_list,
        ),
        _col(Expert, "title", "职称", "职务"),
        _col(Expert, "affiliation", "单位", "工作单位", "所在单位"),
        _col(Expert, "city", *_CITY, parse=v.parse_city),
        _col(Expert, "research_areas", "研究方向", "研究领域", "专业领域", parse=v.parse_list),
        _col(Expert, "profile", "个人简介", "简介", "专家简介", empty=""),
        *_contact(Expert, "phone"),
    ),
)

ENTERPRISES = Kind(
    "enterprises",
    "企业",
    Enterprise,
    (
        *_common(Enterprise, "企业", ("企业名称", "企业", "单位名称")),
        _col(
            Enterprise,
            "credit_code",
            "统一社会信用代码",
            "信用代码",
            "社会信用代码",
            parse=v.parse_credit_code,
        ),
        _col(Enterprise, "city", *_CITY, parse=v.parse_city),
        _col(Enterprise, "county", "区县", "县区", "所在区县"),
        _col(Enterprise, "industry", "行业", "所属行业"),
        _col(Enterprise, "size", "规模", "企业规模"),
        _col(
            Enterprise,
            "is_chain_leader",
            "是否链主",
            "链主企业",
            "链主",
            parse=v.parse_bool,
            empty=False,
        ),
        _col(Enterprise, "contact_name", *_CONTACT_NAME),
        *_contact(Enterprise, "contact_phone"),
    ),
)

NEEDS = Kind(
    "needs",
    "技术需求",
    TechNeed,
    (
        _external_id(TechNeed, "需求"),
        _col(
            TechNeed,
            "enterprise_external_id",
            "企业编号",
            "所属企业编号",
            "企业外部编号",
            link=True,
            parse=v.parse_code,
        ),
        _col(
            TechNeed,
            "title",
            *("需求名称", "标题", "需求标题", "名称", "技术需求名称", "需求项目名称", "项目名称"),
            required=True,
        ),
        _col(
            TechNeed,
            "description",
            *("需求描述", "需求内容", "描述", "内容", "技术需求概述", "需求概述", "技术需求描述"),
            empty="",
        ),
        _col(TechNeed, "industry", "行业", "所属行业"),
        _col(TechNeed, "city", *_CITY, parse=v.parse_city),
        _col(TechNeed, "keywords", "关键词", "关键字", "技术关键词", parse=v.parse_list),
        _col(TechNeed, "deadline", "截止日期", "截止时间", parse=v.parse_date),
        # the collection form's structured fields
        _col(
            TechNeed,
            "start_year",
            *(
                "开始年限",
                "开始年份",
                "起始年限",
                "起始年份",
                "开始时间",
                "起始时间",
                "需求时限开始",
            ),
            parse=v.parse_year,
        ),
        _col(
            TechNeed,
            "end_year",
            *("结束年限", "结束年份", "截止年限", "终止年限", "结束时间", "需求时限结束"),
            parse=v.parse_year,
        ),
        _col(
            TechNeed,
            "budget",
            *(
                "拟投入资金总额",
                "拟投入资金",
                "投入资金",
                "拟投资金额",
                "资金总额",
                "预算",
                "经费预算",
            ),
            parse=v.parse_budget,
        ),
        _col(
            TechNeed,
            "solution_mode",
            *("技术需求解决方式", "需求解决方式", "解决方式"),
            parse=v.parse_solution_mode,
        ),
        _col(TechNeed, "partner", "合作意向单位", "意向合作单位", "合作单位", "意向单位"),
        _col(TechNeed, "activity_type", "科技活动类型", "活动类型", parse=v.parse_activity_type),
        _col(TechNeed, "discipline", "学科分类", "学科", "所属学科", "学科领域"),
        _col(
            TechNeed,
            "fields",
            *("需求技术所属领域", "所属领域", "技术领域", "技术所属领域", "需求领域", "领域"),
            parse=v.parse_list,
            empty=None,
        ),
        _col(TechNeed, "application_industry", "需求技术应用行业", "应用行业", "技术应用行业"),
    ),
    form_columns=(
        Column(
            "enterprise_name",
            ("机构全称", "单位名称", "企业名称", "机构名称", "企业全称", "单位全称", "需求单位"),
            required=False,
            max_length=ENTERPRISES.column("name").max_length,
        ),
        *(
            replace(c, attr=None)
            for c in ENTERPRISES.columns
            if c.name not in ("external_id", "name", "city", "industry")
        ),
        Column("landline", ("固定电话", "座机", "办公电话", "联系人固定电话"), parse=v.parse_phone),
        Column("problem", ("主要问题", "存在的主要问题", "需解决的主要问题")),
        Column("key_technology", ("技术关键", "关键技术", "技术难点")),
        Column("expected_goal", ("预期目标", "预期效果", "预期指标")),
        Column(
            "time_frame", ("需求时限", "需求年限", "起止年限", "起止时间"), parse=v.parse_time_frame
        ),
    ),
    owner_columns=frozenset({"enterprise_name", "credit_code"}),
    ignored=(
        *("序号", "归口管理部门", "主管部门", "通讯地址", "地址", "详细地址", "网址", "单位网址"),
        *("法人代表", "法定代表人", "邮政编码", "邮编", "传真", "机构属性", "单位性质"),
        *("企业性质", "机构简介", "单位简介", "企业简介"),
    ),
)

CONFLICTS = Kind(
    "conflicts",
    "利益冲突",
    ConflictOfInterest,
    (
        Column("expert_external_id", ("专家编号", "专家外部编号"), v.parse_code),
        Column("society_external_id", ("学会编号", "学会外部编号"), v.parse_code),
        Column("enterprise_external_id", ("企业编号", "企业外部编号"), v.parse_code, required=True),
        Column(
            "reason",
            ("原因", "冲突原因", "说明", "理由"),
            required=True,
            attr="reason",
            max_length=500,
        ),
    ),
)
"""Conflicts of interest (an expert or a society × an enterprise); matched by that pair,
checked and written by ``matcher.imports.conflicts``."""

ACTIVITIES = Kind(
    "activities",
    "服务活动",
    ServiceActivity,
    (
        _col(
            ServiceActivity,
            "external_id",
            *("记录编号", "编号", "活动编号"),
            parse=v.parse_code,
            required=True,
        ),
        Column("society_external_id", ("学会编号", "学会外部编号"), v.parse_code, required=True),
        Column("enterprise_external_id", ("企业编号", "企业外部编号"), v.parse_code, required=True),
        _col(
            ServiceActivity,
            "service_type",
            *("服务类型", "活动类型", "服务方式"),
            parse=ac.parse_service_type,
            required=True,
        ),
        _col(ServiceActivity, "platform_kind", "平台类型", parse=ac.parse_platform_kind),
        _col(
            ServiceActivity,
            "activity_date",
            *("日期", "活动日期", "服务日期"),
            parse=v.parse_date,
            required=True,
        ),
        _col(
            ServiceActivity,
            "volunteer_hours",
            *("志愿服务时长", "志愿时长", "服务时长", "时长（小时）", "小时数"),
            parse=ac.parse_hours,
            empty=0.0,
        ),
        _col(
            ServiceActivity,
            "participants",
            *("参与人数", "参加人数", "受益人数"),
            parse=v.parse_count,
            empty=0,
        ),
        _col(ServiceActivity, "outcome", "服务成效", "成效", "成果", "活动成效", empty=""),
        Column("expert_external_ids", ("专家编号", "参与专家编号"), v.parse_list, is_list=True),
        Column("need_external_id", ("需求编号", "关联需求编号"), v.parse_code),
    ),
)
"""Service activity records (one row each); checked and written by
``matcher.imports.activities``: all-or-nothing like every import, a re-import with the same
记录编号 updates the record."""

KINDS: dict[str, Kind] = {
    k.name: k for k in (SOCIETIES, EXPERTS, ENTERPRISES, NEEDS, CONFLICTS, ACTIVITIES)
}


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise InvalidInputError(
            f"未知的导入类型 {name!r}，可选：{'、'.join(KINDS)}",
            f"unknown kind {name!r}; choose one of {', '.join(KINDS)}",
        ) from None

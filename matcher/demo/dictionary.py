"""The jieba user dictionary and stop-word list, built from the topic table plus general terms.

The committed text files in ``data/dict`` are the output of :func:`write_dictionary_files`;
regenerate them with ``scripts/generate_demo_data.py --dict-only``.
"""

from __future__ import annotations

import re
from pathlib import Path

from matcher.demo.societies import provincial_societies
from matcher.demo.topics import aliases, all_topics

TERM_FREQ = 3000
"""High enough for jieba to keep a dictionary term whole."""

# Domain terms beyond the demo topics (general engineering, agriculture, medicine, science).
EXTRA_TERMS = """
机械设计 机械制造 数控机床 加工中心 五轴联动 精密加工 超精密加工 增材制造 3D打印 激光熔覆 激光焊接
搅拌摩擦焊 表面强化 喷丸 渗碳 渗氮 淬火 回火 调质 残余应力 疲劳强度 断裂韧性 蠕变 硬度 耐磨性
齿轮箱 减速器 液压系统 液压缸 液压泵 比例阀 伺服电机 伺服系统 变频器 永磁同步电机 步进电机
PLC 工业机器人 协作机器人 AGV 机械臂 末端执行器 运动控制 PID控制 模型预测控制 故障诊断 状态监测
振动信号 声发射 无损检测 超声检测 涡流检测 射线检测 红外热成像 有限元分析 多体动力学 拓扑优化
计算流体力学 CFD 热仿真 结构仿真 可靠性设计 寿命预测 失效分析 断口分析 金相组织 晶粒细化
粉末冶金 热等静压 真空烧结 注射成型 挤出成型 吹塑 模具设计 模具寿命 冲压 锻造 精密铸造
熔模铸造 消失模铸造 压铸模具 钛合金 高温合金 不锈钢 耐磨钢 复合材料 碳纤维 玻璃纤维 陶瓷基复合材料
石墨烯 碳纳米管 纳米材料 稀土 永磁材料 储氢材料 光伏 光伏组件 钙钛矿 储能 储能电池 氢能 燃料电池
电解水制氢 氢燃料电池 风电 风力发电机 变流器 逆变器 微电网 虚拟电厂 智能电网 特高压直流 输电线路
变压器 电缆 电缆附件 避雷器 绝缘子 电能质量 谐波治理 无功补偿 负荷预测 电力市场 综合能源
余热回收 余热发电 节能改造 碳排放 碳达峰 碳中和 碳捕集 CCUS 脱硫 脱硝 除尘 VOCs 挥发性有机物
臭氧污染 PM2.5 固体废物 危险废物 污泥处置 垃圾焚烧 土壤修复 重金属污染 地下水修复 生态修复
黑臭水体 污水处理厂 反渗透 纳滤 超滤 电渗析 蒸发结晶 臭氧催化氧化 电催化氧化 湿式氧化 生物脱氮
厌氧氨氧化 活性污泥 人工湿地 化工园区 精细化工 催化裂化 加氢精制 分子筛 催化剂载体 精馏塔
萃取 结晶 膜分离 反应器 微反应器 连续流 过程强化 化工安全 HAZOP 本质安全 危险化学品 安全评价
环氧树脂 聚氨酯 聚乙烯 聚碳酸酯 聚乳酸 可降解塑料 生物基材料 高分子材料 胶黏剂 涂料 水性涂料
人工智能 机器学习 深度学习 大模型 自然语言处理 计算机视觉 图像识别 目标检测 语义分割 知识图谱
大数据 数据挖掘 数据治理 云计算 边缘计算 物联网平台 5G 工业互联网平台 区块链 数字孪生 算力
服务器 操作系统 数据库 中间件 信创适配 软件测试 嵌入式软件 芯片 集成电路 功率半导体 IGBT 碳化硅
氮化镓 半导体封装 FPGA 单片机 电路板 PCB 电磁兼容 EMC 射频 天线 北斗导航 卫星遥感 无人驾驶
自动驾驶 车联网 智能网联汽车 氢燃料电池汽车 充换电 换电站 车规级 汽车电子 底盘 悬架 制动系统
转向系统 变速器 发动机 排放控制 尾气处理 轨道交通 城轨车辆 隧道 地铁 桥梁 装配式建筑 建筑节能
绿色建筑 BIM 混凝土 高性能混凝土 再生骨料 地基处理 边坡 岩爆 瓦斯抽采 冲击地压 煤矿安全
采空区 充填开采 智能矿山 选煤 煤泥 洗选 矿物加工 浮选 磁选 重选 湿法冶金 火法冶金 电解
小麦 玉米 水稻 大豆 花生 芝麻 棉花 油菜 甘薯 谷子 蔬菜 大棚 设施农业 智慧农业 精准农业
测土配方 有机肥 生物有机肥 缓释肥 秸秆还田 保护性耕作 节水灌溉 滴灌 喷灌 农业物联网 农业无人机
病虫草害 绿色防控 生物防治 农药残留 种质资源 品种选育 杂交育种 转基因 基因组选择 全基因组测序
良种繁育 畜禽 奶牛 肉牛 肉羊 蛋鸡 肉鸡 水产养殖 饲料添加剂 兽药 疫苗研发 动物疫病 禽流感
农产品加工 农产品质量安全 粮食储藏 储粮害虫 烘干 面粉 小麦粉 淀粉 食用油 乳制品 发酵食品
功能食品 保健食品 膳食纤维 益生菌 预制菜 中央厨房 食品添加剂 食品包装 包装材料 保鲜 气调保鲜
辐照 超高压杀菌 微生物检测 快速检测 兽药残留 真菌毒素 黄曲霉毒素 食品溯源 冷链运输 冷藏
中医药 中医 中药 中成药 经方 配方颗粒 中药注射剂 药食同源 中药提取 指纹图谱 道地性 GAP
创新药 化学药 生物药 抗体药物 细胞治疗 基因治疗 mRNA 仿制药 药物递送 缓控释制剂 原料药合成
临床试验 药物警戒 GMP 医疗器械注册 体外诊断 POCT 医学影像 医学人工智能 远程医疗 康复器械
可穿戴设备 健康监测 慢病管理 公共卫生 疾病预防 职业病 卫生应急 生物安全 实验动物 干细胞
组织工程 生物材料 3D生物打印 合成生物学 酶制剂 发酵工程 菌种选育 代谢工程 蛋白质工程 生物催化
文物修复 遗址保护 数字博物馆 虚拟现实 增强现实 VR AR 全域旅游 乡村旅游 研学 非物质文化遗产
复合片 富水地层 高水压 上软下硬 滚道剥落 白蚀裂纹 结泥饼 热损伤 针孔 板形控制 凝露 除霜 结渣 结焦
标准制定 检验检测 计量校准 知识产权 专利布局 成果转化 技术转移 产学研 中试 科技成果
"""

STOPWORDS = """
的 了 和 与 及 或 等 是 在 有 为 对 将 把 被 从 向 于 以 由 而 并 且 也 又 还 就 都 但 却 则 即 如
若 因 所 其 之 此 这 那 这些 那些 这个 那个 这种 那种 这样 那样 该 各 每 某 某些 一个 一些 一种
一直 一般 一定 一下 一起 一方面 另外 此外 同时 然后 因此 所以 因为 由于 但是 而且 并且 或者 以及
如果 虽然 不过 只是 只有 只要 可以 可能 能够 应该 需要 希望 期望 想要 想 要 会 能 请 请问 求助
急需 急求 寻求 寻找 征集 咨询 帮助 帮忙 解决 解决方案 问题 难题 难点 情况 方面 方法 方式 工作
进行 开展 实现 提高 提升 改善 改进 加强 完成 达到 获得 形成 建立 研究 开发 相关 有关 关于 对于
针对 目前 现在 当前 近年来 近期 今年 去年 一年 多年 长期 主要 重要 基本 具体 整体 部分 全部
所有 很多 较多 大量 一些 几个 不同 相同 明显 严重 比较 非常 特别 尤其 十分 更加 较 很 太 最
我们 我 你 你们 他 他们 她 它 它们 咱们 大家 自己 本 本公司 我公司 公司 企业 单位 厂 工厂 厂家
有限公司 股份有限公司 集团 专家 学会 团队 老师 领导 客户 人员 技术 技术人员 技术需求 需求 合作
支持 服务 提供 要求 标准 方案 项目 产品 生产 目标 背景 内容 过程 效果 结果 能力 水平 条件 环境
没有 不 没 未 无 非 不能 不会 不是 不够 不足 不好 不到 无法 难以 仍 仍然 依然 还是 已经 已 曾
正在 将要 之后 之前 以后 以前 以上 以下 之间 之内 其中 其他 其它 其余 左右 上下 多少 什么 怎么
怎样 如何 为什么 哪些 哪里 是否 有没有 能否 吗 呢 吧 啊 呀 哦 嗯 么 着 过 得 地 个 们 上 下
中 内 外 里 后 前 年 月 日 时 次 种 项 点 件 位 米 吨 万 亿 元
a an the and or of to in on for with by from at as is are was were be been being this that
these those it its we our you your they their he she his her not no yes can could should would
will may might must do does did done have has had having into about over under than then so
such also more most other some any each all both only very just but if because while which who
whom what when where why how there here up down out off again further once i me my
"""


def _clean(term: str) -> str | None:
    """A dictionary entry for ``term``, or None if it is a phrase rather than a term."""
    term = term.strip()
    if not term or " " in term or len(term) > 8:
        return None
    if re.search(r"[（）()、，与和及]", term):
        return None
    return term


def user_dict_terms() -> list[str]:
    """Every dictionary term, topic-table terms first, without duplicates, in a stable order."""
    candidates: list[str] = []
    for topic in all_topics():
        candidates += [topic.name, *topic.terms, *topic.industries]
        for problem in topic.problems:
            candidates += problem.keywords
    for society in provincial_societies():
        candidates += society.disciplines
        candidates += [area for area in society.areas if len(area) <= 5]
    for term, variants in aliases().items():  # long compounds would hide their parts
        candidates += [word for word in (term, *variants) if len(word) <= 5]
    candidates += EXTRA_TERMS.split()
    seen: dict[str, None] = {}
    for raw in candidates:
        term = _clean(raw)
        if term and len(term) > 1:
            seen.setdefault(term, None)
    return list(seen)


def stopwords() -> list[str]:
    """The stop-word list, in file order, without duplicates."""
    return list(dict.fromkeys(STOPWORDS.split()))


def write_dictionary_files(dict_dir: Path) -> dict[str, Path]:
    """Write ``user_dict.txt`` (``word freq pos``) and ``stopwords.txt`` into ``dict_dir``."""
    dict_dir.mkdir(parents=True, exist_ok=True)
    user_dict = dict_dir / "user_dict.txt"
    stop = dict_dir / "stopwords.txt"
    user_dict.write_text(
        "".join(f"{term} {TERM_FREQ} nz\n" for term in user_dict_terms()), encoding="utf-8"
    )
    stop.write_text("".join(f"{w}\n" for w in stopwords()), encoding="utf-8")
    return {"user_dict": user_dict, "stopwords": stop}

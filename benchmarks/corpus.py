"""Bilingual building blocks for the synthetic benchmark repositories.

Every entry is an (English, Chinese) pair so that generated Text fields stay aligned in both
languages. The sentences are written in the register of the reference ISMS (outsourced
e-government O&M); `{d}` is replaced by a domain name and `{v}` by a vendor's short name, in the
matching language.
"""

from __future__ import annotations

Pair = tuple[str, str]

SENTENCES: tuple[Pair, ...] = (
    ("The {d} team keeps a named owner for every item in scope and reviews the list every quarter.",
     "{d}团队为范围内的每一项指定责任人，并每季度复核一次清单。"),
    ("{v} engineers work only through the bastion host, and every session is recorded and kept for at "
     "least six months.",
     "{v}工程师只能通过堡垒机操作，每次会话全程录像并至少保存六个月。"),
    ("Changes to production follow the change process: a ticket, a risk assessment, an approved window "
     "and a rollback plan.",
     "生产环境变更须遵循变更流程：提交工单、开展风险评估、在批准的时间窗口内实施并准备回退方案。"),
    ("The service desk records every incident in the O&M support system and classifies it by priority "
     "within ten minutes.",
     "服务台在运维支撑系统中登记每一起事件，并在十分钟内完成优先级定级。"),
    ("Monthly service reports compare each SLA metric with its target and explain every breach with a "
     "corrective action.",
     "月度服务报告将各项SLA指标与目标值逐项比对，并对每一次未达标说明原因和纠正措施。"),
    ("Accounts of vendor staff are created only for certified staff and are disabled on the last day of "
     "their assignment.",
     "服务商人员账号仅为持证人员开通，并在其派驻结束当日停用。"),
    ("The {d} configuration baseline is reviewed every six months and deviations are corrected through "
     "change requests.",
     "{d}配置基线每六个月复核一次，偏差通过变更申请予以纠正。"),
    ("Backups are verified by a restore test at least once a quarter, and the result is recorded with the "
     "time taken.",
     "备份至少每季度通过恢复测试验证一次，并记录测试结果和所用时间。"),
    ("Security events are triaged by the monitoring centre around the clock and escalated to the CISO "
     "within thirty minutes when serious.",
     "安全事件由监测中心全天候研判，重大事件须在三十分钟内上报信息安全负责人。"),
    ("Access rights are reviewed every quarter by the system owner, and rights that are no longer needed "
     "are removed within five working days.",
     "系统负责人每季度复核一次访问权限，不再需要的权限须在五个工作日内收回。"),
    ("Evidence of each check is kept in the ISMS repository next to the record that describes it, so that "
     "auditors can trace it.",
     "每项检查的证据与描述它的记录一起保存在体系仓库中，便于审核人员追溯。"),
    ("{v} must notify the office of any change of key staff at least ten working days in advance.",
     "{v}如需更换关键岗位人员，须至少提前十个工作日通知信息办。"),
    ("Vulnerabilities rated high are fixed within fifteen days and critical ones within seventy-two "
     "hours, or a documented exception is approved.",
     "高危漏洞须在十五日内修复，严重漏洞须在七十二小时内修复，否则须经批准形成书面例外。"),
    ("Inspection rounds of the {d} cover hardware status, capacity, alarms and logs, and findings are "
     "tracked to closure.",
     "{d}巡检内容包括硬件状态、容量、告警和日志，发现的问题跟踪至关闭。"),
    ("The satisfaction survey of served agencies is run every quarter and its results feed the vendor "
     "scorecard.",
     "每季度对服务对象单位开展满意度调查，调查结果计入服务商考核评分。"),
    ("Spare parts for critical equipment are stocked on site so that a failed component can be replaced "
     "within four hours.",
     "关键设备的备品备件在现场储备，确保故障部件能在四小时内完成更换。"),
    ("Logs of security devices and servers are sent to the central log platform and kept for at least one "
     "hundred and eighty days.",
     "安全设备和服务器日志统一汇集到日志平台，保存时间不少于一百八十天。"),
    ("Remote maintenance is allowed only in approved windows, with two-factor authentication and a ticket "
     "number for every session.",
     "远程运维仅限在批准的时间窗口内进行，须采用双因素认证，每次会话须关联工单编号。"),
    ("Media that leave the machine room are registered, encrypted where they hold sensitive data, and "
     "sanitised before disposal.",
     "带出机房的介质须登记，存有敏感数据的须加密，报废前须进行数据清除。"),
    ("The risk register is updated whenever a new activity, asset or vendor is introduced, and at least "
     "once a year.",
     "引入新的活动、资产或服务商时须更新风险登记册，且至少每年更新一次。"),
    ("The owner confirms that the record is complete before it is filed, and the ISMS manager samples ten "
     "percent of records each quarter.",
     "记录归档前由责任人确认完整，体系管理员每季度抽查百分之十的记录。"),
    ("Findings from internal audits are recorded as nonconformities with a root cause, a corrective "
     "action and a due date.",
     "内部审核发现的问题作为不符合项登记，注明根本原因、纠正措施和完成期限。"),
    ("The emergency plan of the {d} is exercised at least once a year and the lessons learned are added "
     "to the plan.",
     "{d}应急预案至少每年演练一次，演练总结的经验教训纳入预案修订。"),
    ("Payment to {v} is settled against the monthly SLA attainment and the quarterly scorecard.",
     "向{v}支付的服务费用依据月度SLA达成情况和季度考核得分结算。"),
    ("Staff of {v} sign a personal confidentiality commitment before they receive any account or badge.",
     "{v}人员在领取任何账号或门禁卡之前，须签署个人保密承诺书。"),
    ("Capacity of the {d} is reviewed monthly, and an expansion is planned when usage exceeds seventy "
     "percent for two months.",
     "{d}容量每月评估一次，连续两个月使用率超过百分之七十时须制定扩容计划。"),
    ("Data exchanged with other agencies passes through the exchange platform, where every transfer is "
     "approved and logged.",
     "与其他单位交换的数据须经数据共享交换平台传输，每次传输均经审批并留存日志。"),
    ("Privileged commands such as bulk deletion or data export need a second approver in the bastion host.",
     "批量删除、数据导出等高危命令须在堡垒机中经第二人复核批准。"),
    ("The asset register records the configuration, location, owner and failure history of each item, so "
     "that renewal can be planned.",
     "资产台账记录每项资产的配置、位置、责任人和故障历史，为更新改造提供依据。"),
    ("Patches are tested in the staging environment before they are rolled out, and the rollout follows "
     "the monthly window.",
     "补丁在预发布环境测试通过后方可推广，并按月度变更窗口实施。"),
    ("Every contract with {v} includes the security clause template, an exit plan and the right to audit.",
     "与{v}签订的每份合同均包含安全条款模板、退出方案和审计权条款。"),
    ("The machine room environment is monitored continuously for temperature, humidity, power and water "
     "leaks.",
     "机房环境对温度、湿度、供电和漏水进行连续监测。"),
    ("Problems with repeated incidents are analysed for root cause, and known errors are published in the "
     "knowledge base.",
     "对重复发生的事件开展问题根因分析，已知错误发布到知识库。"),
    ("Training on security awareness is given to every new member of staff and refreshed every year.",
     "每名新入职人员均须接受安全意识培训，并每年复训一次。"),
    ("The office keeps accountability for information security whatever part of the {d} work is "
     "outsourced.",
     "无论{d}工作中哪一部分外包，信息安全的最终责任始终由信息办承担。"),
    ("Network zones are separated by firewalls, and rules are reviewed every six months to remove unused "
     "entries.",
     "各网络区域之间通过防火墙隔离，访问控制策略每六个月复核一次并清理无用条目。"),
    ("Results are reported to the management review, which decides on improvements and resources.",
     "相关结果提交管理评审，由管理评审决定改进措施和资源投入。"),
    ("Personal information is processed only for the stated purpose and is deleted when the retention "
     "period ends.",
     "个人信息仅按明示目的处理，保存期限届满后予以删除。"),
    ("Certificates and keys are tracked with their expiry dates and renewed at least thirty days before "
     "they expire.",
     "证书和密钥按到期日跟踪管理，至少在到期前三十天完成更新。"),
    ("Deviations found during the check are recorded, assigned an owner and followed up at the next "
     "monthly meeting.",
     "检查中发现的偏差须登记、指定责任人，并在下一次月度例会上跟踪落实。"),
)

HEADINGS: tuple[Pair, ...] = (
    ("Introduction", "引言"), ("Background", "背景"), ("Enforcement", "执行"), ("Review", "评审"),
    ("Responsibilities", "职责"), ("Method", "方法"), ("Records", "记录"), ("Interfaces", "接口"),
)

DOMAINS: tuple[tuple[str, str, str], ...] = (
    ("facility", "machine rooms and facilities", "机房与基础环境"),
    ("network", "e-government network", "电子政务网络"),
    ("compute", "hosts and virtualisation", "主机与虚拟化"),
    ("storage", "storage and backup", "存储与备份"),
    ("security", "security operations", "安全运维"),
    ("platform", "middleware and databases", "中间件与数据库"),
    ("applications", "business applications", "业务应用系统"),
    ("data-exchange", "data sharing and exchange", "数据共享交换"),
    ("end-user", "end-user computing", "终端与桌面"),
    ("service-desk", "service desk and hotline", "服务台与热线"),
    ("portal", "government portal and websites", "政务门户与网站"),
    ("video-conf", "video conferencing", "视频会议与协同"),
)

POLICY_TITLES: tuple[Pair, ...] = (
    ("Information Security Policy", "信息安全总体策略"),
    ("Third-Party Outsourcing Governance Policy", "第三方运维外包治理策略"),
    ("Access Control Policy", "访问控制策略"),
    ("Asset and Configuration Management Policy", "资产与配置管理策略"),
    ("Operations Security Policy", "运行安全策略"),
    ("Incident and Continuity Policy", "事件与业务连续性策略"),
    ("Data Protection and Classification Policy", "数据保护与分级策略"),
    ("Physical and Environmental Security Policy", "物理与环境安全策略"),
)

PROCEDURE_TITLES: tuple[Pair, ...] = (
    ("Document and Record Control", "文件与记录控制程序"),
    ("Risk Assessment and Treatment", "风险评估与处置程序"),
    ("Internal Audit", "内部审核程序"),
    ("Management Review", "管理评审程序"),
    ("Service Provider Selection and Onboarding", "服务商选择与准入程序"),
    ("Contract and SLA Management", "合同与SLA管理程序"),
    ("Vendor Performance Evaluation", "服务商绩效考核程序"),
    ("O&M Budget and Settlement", "运维预算与结算程序"),
    ("Incident Management", "事件管理程序"),
    ("Problem Management", "问题管理程序"),
    ("Configuration Management", "配置管理程序"),
    ("Change and Release Management", "变更与发布管理程序"),
    ("Inspection and Monitoring", "巡检与监控程序"),
    ("Asset Lifecycle Management", "资产全生命周期管理程序"),
    ("Information Classification and Exchange", "信息分级与交换程序"),
    ("Personnel Security and Certified Staff", "人员安全与持证上岗程序"),
    ("Account and Privileged Access Management", "账号与特权访问管理程序"),
    ("Vulnerability and Patch Management", "漏洞与补丁管理程序"),
    ("Network Security Management", "网络安全管理程序"),
    ("Machine Room Management", "机房管理程序"),
    ("Backup and Emergency Response", "备份与应急响应程序"),
)

DOCUMENT_TITLES: tuple[Pair, ...] = (
    ("Monthly service report", "月度服务报告"),
    ("Quarterly vendor scorecard", "季度服务商考核评分表"),
    ("Change request and CAB record", "变更申请与变更评审记录"),
    ("Inspection checklist and record", "巡检检查表与记录"),
    ("Backup and restore test record", "备份与恢复测试记录"),
    ("Access request and review record", "账号申请与权限复核记录"),
    ("Privileged session review", "特权会话审计记录"),
    ("Vulnerability scan report", "漏洞扫描报告"),
    ("Patch and anti-malware update record", "补丁与防病毒更新记录"),
    ("Security baseline checklist", "安全基线检查表"),
    ("Certified staff register", "持证上岗人员台账"),
    ("Asset register and failure statistics", "资产台账与故障统计"),
    ("Equipment repair record", "设备维修记录"),
    ("Media sanitisation record", "介质清除与销毁记录"),
    ("Data transfer approval", "数据传输审批单"),
    ("Emergency drill record", "应急演练记录"),
    ("Risk treatment plan", "风险处置计划"),
    ("Internal audit report", "内部审核报告"),
    ("Satisfaction survey", "满意度调查表"),
    ("Machine room access log", "机房出入登记"),
)

DOCUMENT_TYPES = ("form", "record", "register", "plan", "report", "checklist", "log", "template", "assessment")
FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "semi-annual", "annual", "per-event")
ISO_CLAUSES = ("6.1.2", "6.1.3", "7.5.3", "8.1", "8.2", "8.3", "9.1", "9.2.2", "9.3.3", "10.2")

FIELDS: tuple[Pair, ...] = (
    ("Record number and date", "记录编号和日期"), ("System or asset concerned", "涉及的系统或资产"),
    ("Vendor and staff member", "服务商及人员"), ("Ticket or change number", "工单或变更编号"),
    ("Result and deviations found", "结果及发现的偏差"), ("Corrective action and due date", "纠正措施及完成期限"),
    ("Reviewer and approval", "复核人及审批"), ("Attachments and screenshots", "附件及截图"),
    ("Metric, target and actual value", "指标、目标值和实际值"), ("Risk level and rationale", "风险等级及依据"),
    ("Start and end time", "开始和结束时间"), ("Signature of the responsible person", "责任人签字"),
)

KPIS: tuple[Pair, ...] = (
    ("Records completed on time", "按时完成记录的比例"),
    ("Findings closed by their due date", "按期关闭的问题比例"),
    ("SLA metrics met", "SLA指标达成率"),
    ("Reviews held as planned", "按计划开展复核的比例"),
)

RACI_ACTIVITIES: tuple[Pair, ...] = (
    ("Plan the work and set targets", "制定计划和目标"),
    ("Carry out the work and keep the records", "实施工作并保存记录"),
    ("Review results and approve exceptions", "复核结果并审批例外"),
    ("Report to management review", "向管理评审报告"),
)

RISK_TITLES: tuple[Pair, ...] = (
    ("Misuse of privileged access by vendor administrators", "供应商管理员滥用特权访问"),
    ("Compromise of vendor remote access", "供应商远程访问通道被攻破"),
    ("Loss of service after a failed change", "变更失败导致服务中断"),
    ("Leak of personal data from an exchange interface", "数据交换接口泄露个人信息"),
    ("Hardware failure beyond the service life", "超期服役设备硬件故障"),
    ("Key vendor staff leaving without handover", "服务商关键人员未交接离职"),
    ("Unpatched vulnerability exploited from the internet", "未修补漏洞被互联网攻击利用"),
    ("Backup not restorable when needed", "需要时备份无法恢复"),
    ("Power or cooling failure in the machine room", "机房供电或制冷故障"),
    ("Uncertified staff working on production", "无证人员接触生产系统"),
)

ASSET_KINDS: tuple[tuple[str, str, str], ...] = (
    ("server", "Application server", "应用服务器"),
    ("storage", "Storage array", "存储阵列"),
    ("network-device", "Access switch", "接入交换机"),
    ("security-device", "Firewall", "防火墙"),
    ("software", "Middleware cluster", "中间件集群"),
    ("application", "Online service system", "网上办事系统"),
    ("data", "Base data set", "基础数据库"),
    ("facility", "Precision air conditioner", "精密空调"),
)

VENDOR_PREFIXES: tuple[Pair, ...] = (
    ("Huaxin", "华信"), ("Anxin", "安信"), ("Yunqi", "云启"), ("Zhongke", "中科"), ("Tianyuan", "天元"),
    ("Boan", "博安"), ("Chuangzhi", "创智"), ("Hengtong", "恒通"), ("Ruida", "瑞达"), ("Jinghua", "京华"),
    ("Xinghe", "星河"), ("Dingxin", "鼎信"), ("Shuke", "数科"), ("Lianchuang", "联创"), ("Tengyun", "腾云"),
    ("Zhiyuan", "智远"), ("Guoan", "国安"), ("Haiwang", "海网"), ("Kaiming", "开明"), ("Weixin", "维信"),
)

VENDOR_SUFFIXES: tuple[Pair, ...] = (
    ("Network Technology Co., Ltd.", "网络技术有限公司"),
    ("Cybersecurity Technology Co., Ltd.", "网络安全技术有限公司"),
    ("Information Services Co., Ltd.", "信息服务有限公司"),
    ("Digital Technology Co., Ltd.", "数字科技有限公司"),
    ("Data Centre Services Co., Ltd.", "数据中心服务有限公司"),
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN_NAMES = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超",
               "思远", "文博", "佳怡", "子涵", "宇航", "晓东", "海燕", "建国")
STAFF_ROLES = ("Service manager", "Senior engineer", "Operations engineer", "Database administrator",
               "Network engineer", "Security analyst", "On-site technician", "Service desk agent")

SLA_METRICS: tuple[tuple[str, float, str, str], ...] = (
    ("availability", 99.9, "percent", "higher"),
    ("response_time", 15, "minutes", "lower"),
    ("resolution_time", 4, "hours", "lower"),
    ("onsite_arrival_time", 60, "minutes", "lower"),
    ("inspection_completion_rate", 98, "percent", "higher"),
    ("repeat_incident_rate", 5, "percent", "lower"),
)

ROLES: tuple[tuple[str, str, str], ...] = (
    ("director", "Director of the Information Office", "信息办主任"),
    ("deputy-director", "Deputy Director of the Information Office", "信息办副主任"),
    ("ciso", "Chief Information Security Officer", "信息安全负责人"),
    ("isms-manager", "ISMS Manager", "信息安全管理体系管理员"),
    ("om-manager", "IT Operations Manager", "运维管理负责人"),
    ("vendor-manager", "Vendor Manager", "供应商管理员"),
    ("security-engineer", "Security Engineer", "安全工程师"),
    ("asset-manager", "Asset and Configuration Manager", "资产与配置管理员"),
    ("service-desk-lead", "Service Desk Lead", "服务台主管"),
    ("internal-auditor", "Internal Audit Lead", "内审组长"),
    ("hr-officer", "Human Resources Officer", "人事专员"),
    ("legal-officer", "Legal and Compliance Officer", "法务合规专员"),
    ("finance-officer", "Finance and Budget Officer", "财务预算专员"),
    ("facilities-manager", "Machine Room and Facilities Manager", "机房与设施管理员"),
    ("info-office", "District Information Office", "区信息化办公室"),
)

MODES: tuple[tuple[str, str, str], ...] = (
    ("self", "Self-operated", "自行运维"),
    ("mixed", "Mixed outsourcing", "混合外包"),
    ("full", "Fully outsourced", "全面外包"),
)

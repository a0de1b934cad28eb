"""JBSys-XL: 人社基层平台建设考核与以奖代补资金分配 (Changzhou grassroots HR platform assessment)."""
__version__ = "0.1.0"

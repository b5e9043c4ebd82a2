; ModuleID = "tasep_ring"
target triple = "x86_64-unknown-linux-gnu"
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"

define void @"tasep_ring"(i64* noalias %"occ", i64* noalias %"old", double* noalias %"clock", i64* noalias %"ctr", i64* noalias %"att", i64* noalias %"cur", i64* noalias %"viol", i64 %"n_rep", i64 %"L", i64 %"nbond", i64 %"n_iter", double %"t_end", i64 %"seed", double %"rmax", i64 %"ns", i64 %"rep0") nounwind
{
entry:
  %"occ.slot" = alloca i64*
  store i64* %"occ", i64** %"occ.slot"
  %"old.slot" = alloca i64*
  store i64* %"old", i64** %"old.slot"
  %"clock.slot" = alloca double*
  store double* %"clock", double** %"clock.slot"
  %"ctr.slot" = alloca i64*
  store i64* %"ctr", i64** %"ctr.slot"
  %"att.slot" = alloca i64*
  store i64* %"att", i64** %"att.slot"
  %"cur.slot" = alloca i64*
  store i64* %"cur", i64** %"cur.slot"
  %"viol.slot" = alloca i64*
  store i64* %"viol", i64** %"viol.slot"
  %"n_rep.slot" = alloca i64
  store i64 %"n_rep", i64* %"n_rep.slot"
  %"L.slot" = alloca i64
  store i64 %"L", i64* %"L.slot"
  %"nbond.slot" = alloca i64
  store i64 %"nbond", i64* %"nbond.slot"
  %"n_iter.slot" = alloca i64
  store i64 %"n_iter", i64* %"n_iter.slot"
  %"t_end.slot" = alloca double
  store double %"t_end", double* %"t_end.slot"
  %"seed.slot" = alloca i64
  store i64 %"seed", i64* %"seed.slot"
  %"rmax.slot" = alloca double
  store double %"rmax", double* %"rmax.slot"
  %"ns.slot" = alloca i64
  store i64 %"ns", i64* %"ns.slot"
  %"rep0.slot" = alloca i64
  store i64 %"rep0", i64* %"rep0.slot"
  %"r.slot" = alloca i64
  %"base.slot" = alloca i64
  %"cbase.slot" = alloca i64
  %"clk.slot" = alloca double
  %"nd.slot" = alloca i64
  %"na.slot" = alloca i64
  %"nv.slot" = alloca i64
  %"u.slot" = alloca double
  %"rate.slot" = alloca double
  %"tau.slot" = alloca double
  %"cum.slot" = alloca double
  %"i.slot" = alloca i64
  %"jt.slot" = alloca i64
  %"nf.slot" = alloca i64
  %"nt.slot" = alloca i64
  %"si.slot" = alloca i64
  %"kk.slot" = alloca i64
  %"bb.slot" = alloca i64
  %"slot.slot" = alloca i64
  %"rng_key.slot" = alloca i64
  %"rng_state.slot" = alloca i64
  %"rng_bits.slot" = alloca i64
  %"it.slot" = alloca i64
  %"mv.slot" = alloca i64
  br label %"body"
body:
  %".34" = load i64, i64* %"n_rep.slot"
  store i64 0, i64* %"r.slot"
  br label %"r.head"
r.head:
  %".37" = load i64, i64* %"r.slot"
  %".38" = icmp slt i64 %".37", %".34"
  br i1 %".38", label %"r.body", label %"r.done"
r.body:
  %".40" = load i64, i64* %"r.slot"
  %".41" = load i64, i64* %"L.slot"
  %".42" = mul i64 %".40", %".41"
  store i64 %".42", i64* %"base.slot"
  %".44" = load i64, i64* %"r.slot"
  %".45" = load i64, i64* %"nbond.slot"
  %".46" = mul i64 %".44", %".45"
  store i64 %".46", i64* %"cbase.slot"
  %".48" = load double*, double** %"clock.slot"
  %".49" = load i64, i64* %"r.slot"
  %".50" = getelementptr inbounds double, double* %".48", i64 %".49"
  %".51" = load double, double* %".50"
  store double %".51", double* %"clk.slot"
  store i64 0, i64* %"nd.slot"
  store i64 0, i64* %"na.slot"
  store i64 0, i64* %"nv.slot"
  store double              0x0, double* %"u.slot"
  store double              0x0, double* %"rate.slot"
  store double              0x0, double* %"tau.slot"
  store double              0x0, double* %"cum.slot"
  store i64 0, i64* %"i.slot"
  store i64 0, i64* %"jt.slot"
  store i64 0, i64* %"nf.slot"
  store i64 0, i64* %"nt.slot"
  store i64 0, i64* %"si.slot"
  store i64 0, i64* %"kk.slot"
  store i64 0, i64* %"bb.slot"
  store i64 0, i64* %"slot.slot"
  %".68" = load i64, i64* %"rep0.slot"
  %".69" = load i64, i64* %"r.slot"
  %".70" = add i64 %".68", %".69"
  %".71" = add i64 %".70", 7146057691288625177
  store i64 %".71", i64* %"rng_key.slot"
  %".73" = load i64, i64* %"rng_key.slot"
  %".74" = load i64, i64* %"rng_key.slot"
  %".75" = lshr i64 %".74", 30
  %".76" = xor i64 %".73", %".75"
  %".77" = mul i64 %".76", 13787848793156543929
  store i64 %".77", i64* %"rng_key.slot"
  %".79" = load i64, i64* %"rng_key.slot"
  %".80" = load i64, i64* %"rng_key.slot"
  %".81" = lshr i64 %".80", 27
  %".82" = xor i64 %".79", %".81"
  %".83" = mul i64 %".82", 10723151780598845931
  store i64 %".83", i64* %"rng_key.slot"
  %".85" = load i64, i64* %"rng_key.slot"
  %".86" = load i64, i64* %"rng_key.slot"
  %".87" = lshr i64 %".86", 31
  %".88" = xor i64 %".85", %".87"
  store i64 %".88", i64* %"rng_key.slot"
  %".90" = load i64, i64* %"seed.slot"
  %".91" = load i64, i64* %"rng_key.slot"
  %".92" = xor i64 %".90", %".91"
  store i64 %".92", i64* %"rng_key.slot"
  %".94" = load i64, i64* %"rng_key.slot"
  %".95" = load i64, i64* %"rng_key.slot"
  %".96" = lshr i64 %".95", 30
  %".97" = xor i64 %".94", %".96"
  %".98" = mul i64 %".97", 13787848793156543929
  store i64 %".98", i64* %"rng_key.slot"
  %".100" = load i64, i64* %"rng_key.slot"
  %".101" = load i64, i64* %"rng_key.slot"
  %".102" = lshr i64 %".101", 27
  %".103" = xor i64 %".100", %".102"
  %".104" = mul i64 %".103", 10723151780598845931
  store i64 %".104", i64* %"rng_key.slot"
  %".106" = load i64, i64* %"rng_key.slot"
  %".107" = load i64, i64* %"rng_key.slot"
  %".108" = lshr i64 %".107", 31
  %".109" = xor i64 %".106", %".108"
  store i64 %".109", i64* %"rng_key.slot"
  %".111" = load i64, i64* %"rng_key.slot"
  %".112" = load i64*, i64** %"ctr.slot"
  %".113" = load i64, i64* %"r.slot"
  %".114" = getelementptr inbounds i64, i64* %".112", i64 %".113"
  %".115" = load i64, i64* %".114"
  %".116" = mul i64 %".115", 11400714819323198485
  %".117" = add i64 %".111", %".116"
  store i64 %".117", i64* %"rng_state.slot"
  store i64 0, i64* %"rng_bits.slot"
  %".120" = load i64, i64* %"n_iter.slot"
  store i64 0, i64* %"it.slot"
  br label %"it.head"
r.done:
  ret void
it.head:
  %".123" = load i64, i64* %"it.slot"
  %".124" = icmp slt i64 %".123", %".120"
  br i1 %".124", label %"it.body", label %"it.done"
it.body:
  %".126" = load double, double* %"clk.slot"
  %".127" = load double, double* %"t_end.slot"
  %".128" = fcmp olt double %".126", %".127"
  br i1 %".128", label %"if.then", label %"if.else"
it.done:
  %".310" = load double*, double** %"clock.slot"
  %".311" = load i64, i64* %"r.slot"
  %".312" = getelementptr inbounds double, double* %".310", i64 %".311"
  %".313" = load double, double* %"clk.slot"
  store double %".313", double* %".312"
  %".315" = load i64*, i64** %"ctr.slot"
  %".316" = load i64, i64* %"r.slot"
  %".317" = getelementptr inbounds i64, i64* %".315", i64 %".316"
  %".318" = load i64*, i64** %"ctr.slot"
  %".319" = load i64, i64* %"r.slot"
  %".320" = getelementptr inbounds i64, i64* %".318", i64 %".319"
  %".321" = load i64, i64* %".320"
  %".322" = load i64, i64* %"nd.slot"
  %".323" = load i64, i64* %"na.slot"
  %".324" = add i64 %".322", %".323"
  %".325" = add i64 %".321", %".324"
  store i64 %".325", i64* %".317"
  %".327" = load i64*, i64** %"att.slot"
  %".328" = load i64, i64* %"r.slot"
  %".329" = getelementptr inbounds i64, i64* %".327", i64 %".328"
  %".330" = load i64*, i64** %"att.slot"
  %".331" = load i64, i64* %"r.slot"
  %".332" = getelementptr inbounds i64, i64* %".330", i64 %".331"
  %".333" = load i64, i64* %".332"
  %".334" = load i64, i64* %"na.slot"
  %".335" = add i64 %".333", %".334"
  store i64 %".335", i64* %".329"
  %".337" = load i64*, i64** %"viol.slot"
  %".338" = load i64, i64* %"r.slot"
  %".339" = getelementptr inbounds i64, i64* %".337", i64 %".338"
  %".340" = load i64*, i64** %"viol.slot"
  %".341" = load i64, i64* %"r.slot"
  %".342" = getelementptr inbounds i64, i64* %".340", i64 %".341"
  %".343" = load i64, i64* %".342"
  %".344" = load i64, i64* %"nv.slot"
  %".345" = add i64 %".343", %".344"
  store i64 %".345", i64* %".339"
  %".347" = load i64, i64* %"r.slot"
  %".348" = add i64 %".347", 1
  store i64 %".348", i64* %"r.slot"
  br label %"r.head"
if.then:
  %".130" = load i64, i64* %"rng_state.slot"
  %".131" = add i64 %".130", 11400714819323198485
  store i64 %".131", i64* %"rng_state.slot"
  %".133" = load i64, i64* %"rng_state.slot"
  store i64 %".133", i64* %"rng_bits.slot"
  %".135" = load i64, i64* %"rng_bits.slot"
  %".136" = load i64, i64* %"rng_bits.slot"
  %".137" = lshr i64 %".136", 30
  %".138" = xor i64 %".135", %".137"
  %".139" = mul i64 %".138", 13787848793156543929
  store i64 %".139", i64* %"rng_bits.slot"
  %".141" = load i64, i64* %"rng_bits.slot"
  %".142" = load i64, i64* %"rng_bits.slot"
  %".143" = lshr i64 %".142", 27
  %".144" = xor i64 %".141", %".143"
  %".145" = mul i64 %".144", 10723151780598845931
  store i64 %".145", i64* %"rng_bits.slot"
  %".147" = load i64, i64* %"rng_bits.slot"
  %".148" = load i64, i64* %"rng_bits.slot"
  %".149" = lshr i64 %".148", 31
  %".150" = xor i64 %".147", %".149"
  store i64 %".150", i64* %"rng_bits.slot"
  %".152" = load i64, i64* %"rng_bits.slot"
  %".153" = lshr i64 %".152", 11
  %".154" = uitofp i64 %".153" to double
  %".155" = fmul double %".154", 0x3ca0000000000000
  %".156" = fsub double 0x3ff0000000000000, %".155"
  %".157" = call double @"llvm.log.f64"(double %".156")
  %".158" = fneg double %".157"
  store double %".158", double* %"tau.slot"
  %".160" = load i64, i64* %"nd.slot"
  %".161" = add i64 %".160", 1
  store i64 %".161", i64* %"nd.slot"
  %".163" = load double, double* %"clk.slot"
  %".164" = load double, double* %"tau.slot"
  %".165" = load i64, i64* %"ns.slot"
  %".166" = sitofp i64 %".165" to double
  %".167" = load double, double* %"rmax.slot"
  %".168" = fmul double %".166", %".167"
  %".169" = fdiv double %".164", %".168"
  %".170" = fadd double %".163", %".169"
  store double %".170", double* %"clk.slot"
  %".172" = load double, double* %"clk.slot"
  %".173" = load double, double* %"t_end.slot"
  %".174" = fcmp olt double %".172", %".173"
  br i1 %".174", label %"if.then.1", label %"if.else.1"
if.else:
  br label %"if.done"
if.done:
  %".306" = load i64, i64* %"it.slot"
  %".307" = add i64 %".306", 1
  store i64 %".307", i64* %"it.slot"
  br label %"it.head"
if.then.1:
  %".176" = load i64, i64* %"rng_state.slot"
  %".177" = add i64 %".176", 11400714819323198485
  store i64 %".177", i64* %"rng_state.slot"
  %".179" = load i64, i64* %"rng_state.slot"
  store i64 %".179", i64* %"rng_bits.slot"
  %".181" = load i64, i64* %"rng_bits.slot"
  %".182" = load i64, i64* %"rng_bits.slot"
  %".183" = lshr i64 %".182", 30
  %".184" = xor i64 %".181", %".183"
  %".185" = mul i64 %".184", 13787848793156543929
  store i64 %".185", i64* %"rng_bits.slot"
  %".187" = load i64, i64* %"rng_bits.slot"
  %".188" = load i64, i64* %"rng_bits.slot"
  %".189" = lshr i64 %".188", 27
  %".190" = xor i64 %".187", %".189"
  %".191" = mul i64 %".190", 10723151780598845931
  store i64 %".191", i64* %"rng_bits.slot"
  %".193" = load i64, i64* %"rng_bits.slot"
  %".194" = load i64, i64* %"rng_bits.slot"
  %".195" = lshr i64 %".194", 31
  %".196" = xor i64 %".193", %".195"
  store i64 %".196", i64* %"rng_bits.slot"
  %".198" = load i64, i64* %"rng_bits.slot"
  %".199" = lshr i64 %".198", 32
  %".200" = load i64, i64* %"ns.slot"
  %".201" = mul i64 %".199", %".200"
  %".202" = lshr i64 %".201", 32
  store i64 %".202", i64* %"slot.slot"
  %".204" = load i64, i64* %"na.slot"
  %".205" = add i64 %".204", 1
  store i64 %".205", i64* %"na.slot"
  %".207" = load i64, i64* %"slot.slot"
  store i64 %".207", i64* %"si.slot"
  %".209" = load i64, i64* %"si.slot"
  store i64 %".209", i64* %"i.slot"
  %".211" = load i64*, i64** %"occ.slot"
  %".212" = load i64, i64* %"base.slot"
  %".213" = load i64, i64* %"i.slot"
  %".214" = add i64 %".212", %".213"
  %".215" = getelementptr inbounds i64, i64* %".211", i64 %".214"
  %".216" = load i64, i64* %".215"
  store i64 %".216", i64* %"nf.slot"
  %".218" = load i64, i64* %"i.slot"
  %".219" = add i64 %".218", 1
  store i64 %".219", i64* %"jt.slot"
  %".221" = load i64, i64* %"jt.slot"
  %".222" = load i64, i64* %"L.slot"
  %".223" = icmp sge i64 %".221", %".222"
  br i1 %".223", label %"if.then.2", label %"if.else.2"
if.else.1:
  br label %"if.done.1"
if.done.1:
  %".299" = load double, double* %"clk.slot"
  %".300" = load double, double* %"t_end.slot"
  %".301" = fcmp olt double %".299", %".300"
  %".302" = select  i1 %".301", double %".299", double %".300"
  store double %".302", double* %"clk.slot"
  br label %"if.done"
if.then.2:
  %".225" = load i64, i64* %"jt.slot"
  %".226" = load i64, i64* %"L.slot"
  %".227" = sub i64 %".225", %".226"
  store i64 %".227", i64* %"jt.slot"
  br label %"if.done.2"
if.else.2:
  br label %"if.done.2"
if.done.2:
  %".231" = load i64*, i64** %"occ.slot"
  %".232" = load i64, i64* %"base.slot"
  %".233" = load i64, i64* %"jt.slot"
  %".234" = add i64 %".232", %".233"
  %".235" = getelementptr inbounds i64, i64* %".231", i64 %".234"
  %".236" = load i64, i64* %".235"
  store i64 %".236", i64* %"nt.slot"
  %".238" = load i64, i64* %"nf.slot"
  %".239" = icmp eq i64 %".238", 1
  %".240" = load i64, i64* %"nt.slot"
  %".241" = icmp eq i64 %".240", 0
  %".242" = and i1 %".239", %".241"
  %".243" = zext i1 %".242" to i64
  store i64 %".243", i64* %"mv.slot"
  %".245" = load i64*, i64** %"occ.slot"
  %".246" = load i64, i64* %"base.slot"
  %".247" = load i64, i64* %"i.slot"
  %".248" = add i64 %".246", %".247"
  %".249" = getelementptr inbounds i64, i64* %".245", i64 %".248"
  %".250" = load i64, i64* %"nf.slot"
  %".251" = load i64, i64* %"mv.slot"
  %".252" = sub i64 %".250", %".251"
  store i64 %".252", i64* %".249"
  %".254" = load i64*, i64** %"occ.slot"
  %".255" = load i64, i64* %"base.slot"
  %".256" = load i64, i64* %"jt.slot"
  %".257" = add i64 %".255", %".256"
  %".258" = getelementptr inbounds i64, i64* %".254", i64 %".257"
  %".259" = load i64, i64* %"nt.slot"
  %".260" = load i64, i64* %"mv.slot"
  %".261" = add i64 %".259", %".260"
  store i64 %".261", i64* %".258"
  %".263" = load i64*, i64** %"cur.slot"
  %".264" = load i64, i64* %"cbase.slot"
  %".265" = load i64, i64* %"i.slot"
  %".266" = add i64 %".265", 1
  %".267" = load i64, i64* %"L.slot"
  %".268" = icmp sge i64 %".266", %".267"
  %".269" = load i64, i64* %"i.slot"
  %".270" = add i64 %".269", 1
  %".271" = load i64, i64* %"L.slot"
  %".272" = sub i64 %".270", %".271"
  %".273" = load i64, i64* %"i.slot"
  %".274" = add i64 %".273", 1
  %".275" = select  i1 %".268", i64 %".272", i64 %".274"
  %".276" = add i64 %".264", %".275"
  %".277" = getelementptr inbounds i64, i64* %".263", i64 %".276"
  %".278" = load i64*, i64** %"cur.slot"
  %".279" = load i64, i64* %"cbase.slot"
  %".280" = load i64, i64* %"i.slot"
  %".281" = add i64 %".280", 1
  %".282" = load i64, i64* %"L.slot"
  %".283" = icmp sge i64 %".281", %".282"
  %".284" = load i64, i64* %"i.slot"
  %".285" = add i64 %".284", 1
  %".286" = load i64, i64* %"L.slot"
  %".287" = sub i64 %".285", %".286"
  %".288" = load i64, i64* %"i.slot"
  %".289" = add i64 %".288", 1
  %".290" = select  i1 %".283", i64 %".287", i64 %".289"
  %".291" = add i64 %".279", %".290"
  %".292" = getelementptr inbounds i64, i64* %".278", i64 %".291"
  %".293" = load i64, i64* %".292"
  %".294" = load i64, i64* %"mv.slot"
  %".295" = add i64 %".293", %".294"
  store i64 %".295", i64* %".277"
  br label %"if.done.1"
}

declare double @"llvm.log.f64"(double %".1")
